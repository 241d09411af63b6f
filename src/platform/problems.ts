import { vaultPathPrefix } from './config.js';

/**
 * Every error the app reports to a caller, and its stable code. Domain and job code throw these;
 * only the HTTP layer (`httpErrors.ts`) turns a problem's kind into a status code. Messages are
 * safe to show: they name objects, never a value or a token.
 */
export type ProblemKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'preconditionFailed'
  | 'tooLarge'
  | 'unsupportedMediaType'
  | 'unprocessable'
  | 'throttled'
  | 'unavailable'
  | 'internal';

export class Problem extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly code: string,
    message: string,
    readonly target?: string,
    /** When the caller may try again (seconds). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'Problem';
  }
}

export type VaultObjectKind = 'Secret' | 'Certificate' | 'Key';

export interface Subject {
  kind: VaultObjectKind;
  name: string;
  /** The alias of the object's vault: messages that name a route name that vault's
   * (`/api/vaults/{alias}/…`). Absent: the default vault. */
  vault?: string;
  /** The object is looked up among deleted ones (not found then means "no deleted object"). */
  deleted?: boolean;
}

const collection: Record<VaultObjectKind, string> = { Secret: 'secrets', Certificate: 'certificates', Key: 'keys' };
const label = (subject: Subject) => `${subject.kind} '${subject.name}'`;
const deletedPath = (subject: Subject) => `/api${vaultPathPrefix(subject.vault)}/deleted-${collection[subject.kind]}/${subject.name}`;

export const problems = {
  // The request itself
  invalidInput: (field: string, why: string) => new Problem('invalid', 'InvalidRequest', `${field}: ${why}`, field),
  invalidHeader: (header: string, message: string) => new Problem('invalid', 'InvalidRequest', message, header),
  missingBody: () => new Problem('invalid', 'MissingRequestBody', 'This operation needs a JSON request body.'),
  invalidJson: () => new Problem('invalid', 'InvalidJson', 'The request body is not valid JSON.'),
  unsupportedMediaType: (contentType: string) =>
    new Problem('unsupportedMediaType', 'UnsupportedMediaType', `The request body must be application/json, not '${contentType}'.`),
  payloadTooLarge: (maxBytes: number) => new Problem('tooLarge', 'PayloadTooLarge', `The request body is larger than ${maxBytes} bytes.`),
  invalidContinuationToken: () => new Problem('invalid', 'InvalidContinuationToken', 'continuationToken is not a token this listing returned.', 'continuationToken'),
  preconditionFailed: (message: string, header: string) => new Problem('preconditionFailed', 'PreconditionFailed', message, header),
  idempotencyKeyReused: () => new Problem('unprocessable', 'IdempotencyKeyReused', 'This Idempotency-Key was used with a different request.', 'Idempotency-Key'),
  requestInProgress: () => new Problem('conflict', 'RequestInProgress', 'A request with this Idempotency-Key is still in progress.', 'Idempotency-Key', 1),
  invalidCertificate: (why: string) => new Problem('invalid', 'InvalidCertificate', `The certificate cannot be imported: ${why}.`, 'certificate'),
  invalidJobPolicy: (why: string) => new Problem('invalid', 'InvalidPolicy', `The job's certificate policy is invalid: ${why}.`),

  // Who is calling
  signInRequired: () => new Problem('unauthorized', 'Unauthorized', 'Sign in first: this API requires an authenticated principal.'),
  invalidPrincipal: (why: string) => new Problem('unauthorized', 'Unauthorized', `The x-ms-client-principal header ${why}.`),
  roleRequired: (roles: string[]) => new Problem('forbidden', 'Forbidden', `This operation requires one of the roles: ${roles.join(', ')}.`),
  /** Function keys alone (no AUTH_ROLES) do not allow a purge unless the app is set to. */
  purgeNotAllowed: () =>
    new Problem(
      'forbidden',
      'PurgeNotAllowed',
      'Purge is turned off for this app: it needs the app setting ALLOW_PURGE=true, or AUTH_ROLES=true and a caller with the Vault.Admin role. Nothing was changed.',
    ),

  // Vault objects
  notFound: (subject: Subject) =>
    subject.deleted
      ? new Problem('notFound', `Deleted${subject.kind}NotFound`, `There is no deleted ${subject.kind.toLowerCase()} named '${subject.name}'.`)
      : new Problem('notFound', `${subject.kind}NotFound`, `${label(subject)} was not found.`),
  /** The name belongs to a soft-deleted object: the message says how to recover or purge it. */
  deletedButRecoverable: (subject: Subject) => {
    const base = deletedPath(subject);
    return new Problem(
      'conflict',
      'ObjectIsDeletedButRecoverable',
      `${label(subject)} is deleted but recoverable, so its name cannot be reused yet. Recover it with POST ${base}/recover, or purge it with DELETE ${base} and try again.`,
    );
  },
  beingDeleted: (subject: Subject) => new Problem('conflict', 'ObjectIsBeingDeleted', `${label(subject)} is still being deleted. Try again shortly.`, undefined, 5),
  beingRecovered: (subject: Subject) => new Problem('conflict', 'ObjectIsBeingRecovered', `${label(subject)} is still being recovered. Try again shortly.`, undefined, 5),
  stateConflict: (subject: Subject) => new Problem('conflict', 'Conflict', `${label(subject)} is in a state that does not allow this operation.`),
  disabled: (subject: Subject) => new Problem('forbidden', `${subject.kind}Disabled`, `${label(subject)} is disabled; enable it with PATCH before reading it.`),
  vaultAccessDenied: (subject: Subject) =>
    new Problem(
      'forbidden',
      'VaultAccessDenied',
      `The Function App's identity is not allowed to perform this operation on ${label(subject)}. Check its Key Vault role assignments.`,
    ),
  /** The vault has purge protection on: nobody can purge before the retention period ends. */
  purgeProtected: (subject: Subject) => {
    const base = deletedPath(subject);
    return new Problem(
      'forbidden',
      'PurgeProtected',
      `The vault has purge protection on, so deleted ${subject.kind.toLowerCase()} '${subject.name}' cannot be purged. ` +
        `Key Vault removes it at its scheduledPurgeDate (GET ${base}); until then it can be recovered with POST ${base}/recover.`,
    );
  },
  /** Key Vault refuses the operation in the object's present state (not for lack of access). */
  vaultNotAllowed: (subject: Subject, detail: string) => new Problem('forbidden', 'OperationNotAllowed', `Key Vault does not allow this on ${label(subject)}: ${detail}`),
  vaultRejected: (subject: Subject, detail: string) => new Problem('invalid', 'InvalidRequest', `Key Vault rejected ${label(subject)}: ${detail}`),
  vaultRejectedRequest: (subject: Subject, why: string) => new Problem('invalid', 'InvalidRequest', `Key Vault rejected the request for ${label(subject)}: ${why}.`),
  throttled: (retryAfterSeconds: number) =>
    new Problem('throttled', 'Throttled', 'Key Vault is throttling requests. Retry after the indicated delay.', undefined, retryAfterSeconds),
  vaultNotFound: (alias: string) =>
    new Problem('notFound', 'VaultNotFound', `The app manages no vault named '${alias.slice(0, 40)}'; KEYVAULTS names the vaults besides the default one.`),
  configurationInvalid: () =>
    new Problem('unavailable', 'ConfigurationInvalid', "The app's settings are invalid, so it serves no request; its start-up log names the settings to fix."),
  vaultUnreachable: () => new Problem('unavailable', 'VaultUnavailable', 'Key Vault could not be reached. Try again later.', undefined, 5),
  vaultUnavailable: (retryAfterSeconds?: number) =>
    new Problem('unavailable', 'VaultUnavailable', 'Key Vault is temporarily unavailable. Try again later.', undefined, retryAfterSeconds),
  inventoryRefreshThrottled: (retryAfterSeconds: number) =>
    new Problem(
      'throttled',
      'InventoryRefreshThrottled',
      `The inventory was built less than INVENTORY_REFRESH_SECONDS ago; refresh again in ${retryAfterSeconds} s, or read it without refresh.`,
      'refresh',
      retryAfterSeconds,
    ),
  rotationFailed: (name: string, reason: string) => new Problem('conflict', 'RotationFailed', `Secret '${name}' was not rotated: ${reason}.`),

  // Operations
  operationNotFound: (id: string) => new Problem('notFound', 'OperationNotFound', `There is no operation with id '${id}'.`),
  operationInProgress: (name: string, kind: string, id: string) =>
    new Problem('conflict', 'OperationInProgress', `Certificate '${name}' has a ${kind} operation in progress (${id}); wait for it to finish.`),
  operationContended: (name: string) =>
    new Problem('conflict', 'OperationInProgress', `Other requests are starting operations on certificate '${name}' right now; try again.`, undefined, 1),
  queueUnavailable: () => new Problem('unavailable', 'QueueUnavailable', 'The job could not be queued; try again later.', undefined, 5),
  // What an operation records as its error
  jobNotStarted: (minutes: number) => new Problem('unavailable', 'JobNotStarted', `The job did not start within ${minutes} minutes; start the operation again.`),
  invalidJob: (field: string) => new Problem('invalid', 'InvalidJob', `The job message is invalid (${field}); start the operation again.`),
  jobFailed: () => new Problem('unavailable', 'JobFailed', 'The job failed on every delivery.'),
  certificateOperationFailed: (reason: string) => new Problem('conflict', 'CertificateOperationFailed', `Key Vault reported the operation failed: ${reason}`),
  vaultErrorRetried: (status: number | undefined) => new Problem('unavailable', 'VaultError', `Key Vault answered ${status ?? 'without a status'}; the job will be retried.`),
  storageErrorRetried: (status: number | undefined) =>
    new Problem('unavailable', 'StorageError', `Storage answered ${status ?? 'without a status'}; the job will be retried.`),
  errorRetried: (name: string) => new Problem('unavailable', 'TransientError', `${name}; the job will be retried.`),

  // The service itself
  docsNotFound: () => new Problem('notFound', 'NotFound', 'No such documentation file.'),
  dashboardFileNotFound: () => new Problem('notFound', 'NotFound', 'No such dashboard file.'),
  /** What an unexpected failure looks like from outside: only the request id, no internals. */
  internal: (requestId: string) => new Problem('internal', 'InternalError', `The server could not complete the request. Quote request id ${requestId} when reporting it.`),
};
