import { isRestError } from '@azure/core-rest-pipeline';
import { ApiError } from './httpErrors.js';

export type VaultObjectKind = 'Secret' | 'Certificate' | 'Key';

export interface VaultErrorSubject {
  kind: VaultObjectKind;
  name: string;
  /** The object is looked up among deleted ones (404 then means "no deleted object"). */
  deleted?: boolean;
  /** Key Vault's 400 message describes the caller's content (e.g. an imported certificate) and may be shown. */
  explainBadRequest?: boolean;
}

const collection: Record<VaultObjectKind, string> = { Secret: 'secrets', Certificate: 'certificates', Key: 'keys' };

/**
 * Maps a Key Vault failure to the API's stable codes. Messages are ours, built from the object's
 * name; Key Vault's own text is passed on only for a 400 about content the caller sent
 * (`explainBadRequest`, e.g. an imported certificate). Unknown failures are rethrown for the 500
 * path.
 */
export function toApiError(error: unknown, subject: VaultErrorSubject): unknown {
  if (!isRestError(error)) return error;
  const status = error.statusCode;
  const inner = innerCode(error);
  const label = `${subject.kind} '${subject.name}'`;
  const retryAfter = error.response?.headers.get('retry-after');
  const retryHeaders: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {};

  if (status === undefined) {
    return new ApiError(503, 'VaultUnavailable', 'Key Vault could not be reached. Try again later.', undefined, { 'retry-after': '5' });
  }
  switch (status) {
    case 400:
      if (subject.explainBadRequest) return new ApiError(400, 'InvalidRequest', `Key Vault rejected ${label}: ${error.message.split('\n')[0]}`);
      return new ApiError(400, 'InvalidRequest', `Key Vault rejected the request for ${label}: ${error.code === 'BadParameter' ? 'a parameter is invalid' : 'it is malformed'}.`);
    case 403:
      if (inner === `${subject.kind}Disabled`) return new ApiError(403, `${subject.kind}Disabled`, `${label} is disabled; enable it with PATCH before reading it.`);
      if (inner === 'ForbiddenByRbac' || inner === 'AccessDenied' || error.code === 'Forbidden') {
        return new ApiError(403, 'VaultAccessDenied', `The Function App's identity is not allowed to perform this operation on ${label}. Check its Key Vault role assignments.`);
      }
      break;
    case 404:
      return notFoundError(subject);
    case 409:
      if (inner === 'ObjectIsDeletedButRecoverable' || /deleted but recoverable/i.test(error.message)) return deletedButRecoverable(subject);
      if (inner === 'ObjectIsBeingDeleted') return new ApiError(409, 'ObjectIsBeingDeleted', `${label} is still being deleted. Try again shortly.`, undefined, { 'retry-after': '5' });
      if (inner === 'ObjectIsBeingRecovered') return new ApiError(409, 'ObjectIsBeingRecovered', `${label} is still being recovered. Try again shortly.`, undefined, { 'retry-after': '5' });
      return new ApiError(409, 'Conflict', `${label} is in a state that does not allow this operation.`);
    case 429:
      return new ApiError(429, 'Throttled', 'Key Vault is throttling requests. Retry after the indicated delay.', undefined, { 'retry-after': retryAfter ?? '5' });
    case 500:
    case 502:
    case 503:
    case 504:
      return new ApiError(503, 'VaultUnavailable', 'Key Vault is temporarily unavailable. Try again later.', undefined, retryHeaders);
  }
  return error;
}

/** The name belongs to a soft-deleted object: the message says how to recover or purge it. */
export function deletedButRecoverable(subject: VaultErrorSubject): ApiError {
  const base = `/api/deleted-${collection[subject.kind]}/${subject.name}`;
  return new ApiError(
    409,
    'ObjectIsDeletedButRecoverable',
    `${subject.kind} '${subject.name}' is deleted but recoverable, so its name cannot be reused yet. Recover it with POST ${base}/recover, or purge it with DELETE ${base} and try again.`,
  );
}

export function notFoundError(subject: VaultErrorSubject): ApiError {
  return subject.deleted
    ? new ApiError(404, `Deleted${subject.kind}NotFound`, `There is no deleted ${subject.kind.toLowerCase()} named '${subject.name}'.`)
    : new ApiError(404, `${subject.kind}NotFound`, `${subject.kind} '${subject.name}' was not found.`);
}

/** Key Vault's inner error code (e.g. `SecretDisabled`, `ForbiddenByRbac`). */
export function innerCode(error: { details?: unknown }): string | undefined {
  const details = error.details as { error?: { innerError?: { code?: string }; innererror?: { code?: string } } } | undefined;
  return details?.error?.innerError?.code ?? details?.error?.innererror?.code;
}

/** Runs a vault call and maps its failure. */
export async function vaultCall<T>(subject: VaultErrorSubject, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toApiError(error, subject);
  }
}

export function isNotFound(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 404;
}
