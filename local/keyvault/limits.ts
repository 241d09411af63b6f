// Key Vault's documented limits, as named constants. Handlers validate against
// these and throw factory errors; nothing else hard-codes a number.

/** Object names (secrets, keys, certificates, issuers): `^[0-9a-zA-Z-]{1,127}$`. */
export const OBJECT_NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;
/** Versions are 32 lowercase hex characters (accepted case-insensitively). */
export const VERSION_PATTERN = /^[0-9a-fA-F]{32}$/;
/** The service's message names the limit in characters: "…maximum permitted length of 25600 characters." */
export const SECRET_VALUE_MAX_CHARACTERS = 25_600;
export const CONTENT_TYPE_MAX_LENGTH = 255;
export const TAGS_MAX_COUNT = 15;
export const TAG_NAME_MAX_LENGTH = 256;
export const TAG_VALUE_MAX_LENGTH = 256;
export const MAX_RESULTS_MIN = 1;
export const MAX_RESULTS_MAX = 25;
export const MAX_RESULTS_DEFAULT = 25;
/** Versions per object in one backup blob. */
export const BACKUP_MAX_VERSIONS = 500;
export const RECOVERABLE_DAYS_MIN = 7;
export const RECOVERABLE_DAYS_MAX = 90;
export const RECOVERABLE_DAYS_DEFAULT = 90;
/** Secrets + vault transactions: 4,000 per 10 s per vault (docs). */
export const THROTTLE_DEFAULT_LIMIT = 4000;
export const THROTTLE_DEFAULT_WINDOW_MS = 10_000;
/** Request bodies above this are refused before parsing (a 500-version restore blob fits). */
export const REQUEST_BODY_MAX_BYTES = 32 * 1024 * 1024;

/** api-version values accepted, oldest first (the last is named in the "unsupported" message).
 * 2026-03-01-preview is in the service's recorded sessions; the secrets SDK 4.12 sends 2026-04-01. */
export const API_VERSIONS: readonly string[] = [
  '2016-10-01',
  '7.0',
  '7.1',
  '7.2',
  '7.3',
  '7.4',
  '7.5',
  '7.6-preview.1',
  '7.6-preview.2',
  '7.6',
  '2025-06-01-preview',
  '2025-07-01',
  '2026-03-01-preview',
  '2026-04-01',
];

export const SECONDS_PER_DAY = 86_400;
