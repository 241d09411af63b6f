// The one place that owns every status + code + message the emulator answers with. Handlers
// throw `KeyVaultError`s made here; they never format a body themselves. The texts are the
// service's, as recorded live sessions and quoted service responses show them; README.md
// "Error messages" lists each with its source, and which ones no public source shows.

export interface KeyVaultErrorBody {
  error: { code: string; message: string; innererror?: { code: string } };
}

export class KeyVaultError extends Error {
  readonly status: number;
  readonly code: string;
  readonly innerCode: string | undefined;
  /** Extra response headers (e.g. Retry-After, WWW-Authenticate). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, innerCode?: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'KeyVaultError';
    this.status = status;
    this.code = code;
    this.innerCode = innerCode;
    this.headers = headers;
  }

  toBody(): KeyVaultErrorBody {
    const error: KeyVaultErrorBody['error'] = { code: this.code, message: this.message };
    if (this.innerCode) error.innererror = { code: this.innerCode };
    return { error };
  }
}

/** Display names of object kinds, as they appear in the service's messages. */
export type ObjectNoun = 'Secret' | 'Key' | 'Certificate';

const notFoundCode: Record<ObjectNoun, string> = {
  Secret: 'SecretNotFound',
  Key: 'KeyNotFound',
  Certificate: 'CertificateNotFound',
};

export const errors = {
  // 400
  badParameter: (message: string) => new KeyVaultError(400, 'BadParameter', message),
  invalidName: (name: string) => new KeyVaultError(400, 'BadParameter', `The request URI contains an invalid name: ${name}`),
  /** The service reads a segment that is not a version as an operation name. */
  invalidVersion: (method: string, segment: string) => new KeyVaultError(400, 'BadParameter', `Method ${method} does not allow operation '${segment}'`),
  invalidProperty: (property: string) => new KeyVaultError(400, 'BadParameter', `Property ${property} has invalid value\r\n`),
  malformedBody: () => new KeyVaultError(400, 'BadParameter', 'The request body is not valid JSON.'),
  missingApiVersion: () => new KeyVaultError(400, 'BadParameter', 'The api-version query parameter is missing.'),
  unsupportedApiVersion: (version: string, latest: string) =>
    new KeyVaultError(400, 'BadParameter', `The specified version (${version}) is not recognized. Consider using the latest supported version (${latest}).`),
  /** The service's code has spaces in it. */
  badBackup: () => new KeyVaultError(400, 'Malformed backup blob', 'Backup blob is corrupt.'),
  secretTooLarge: (maxCharacters: number) =>
    new KeyVaultError(400, 'BadParameter', `Secret is beyond the maximum permitted length of ${maxCharacters} characters.`, 'SecretTooLarge'),

  // 405: a path no operation of that method has (e.g. an empty name)
  unknownRoute: (method: string) => new KeyVaultError(405, 'MethodNotAllowed', `HTTP ${method} not allowed`),

  // 401 — callers add the WWW-Authenticate header via auth/challenge.ts
  missingToken: (headers: Record<string, string>) =>
    new KeyVaultError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token.', undefined, headers),
  malformedToken: (headers: Record<string, string>) =>
    new KeyVaultError(401, 'Unauthorized', "[AggregatedAuthenticationFailure] Error validating token: 'S2S17001'.", undefined, headers),
  /** `encodedHeader` is the token's first part (algorithm and key id; nothing secret). */
  unknownSigningKey: (encodedHeader: string, headers: Record<string, string>) =>
    new KeyVaultError(401, 'Unauthorized', `AKV10046: Unable to resolve the key used for signature validation. EncodedJwtHeader: '${encodedHeader}'`, undefined, headers),
  invalidSignature: (headers: Record<string, string>) => new KeyVaultError(401, 'Unauthorized', 'AKV10019: Token signature is invalid.', undefined, headers),
  invalidAudience: (expected: string, found: string, headers: Record<string, string>) =>
    new KeyVaultError(401, 'Unauthorized', `AKV10022: Invalid audience. Expected ${expected}, found: ${found}.`, undefined, headers),
  invalidIssuer: (expected: readonly string[], found: string, headers: Record<string, string>) =>
    new KeyVaultError(401, 'Unauthorized', `AKV10032: Invalid issuer. Expected one of ${expected.join(', ')}, found ${found}.`, undefined, headers),
  tokenExpired: (headers: Record<string, string>) => new KeyVaultError(401, 'Unauthorized', "[TokenExpired] Error validating token: 'S2S12086'.", undefined, headers),
  tokenNotYetValid: (headers: Record<string, string>) => new KeyVaultError(401, 'Unauthorized', 'AKV10014: Token is not yet valid.', undefined, headers),
  /** Emulator admin routes (/_emulator) without the right admin token. */
  adminTokenRequired: (headerName: string) => new KeyVaultError(401, 'Unauthorized', `Admin routes require the ${headerName} header.`),

  // 403
  forbiddenByRbac: (details: { caller: string; action: string; resource: string; vault: string }) =>
    new KeyVaultError(
      403,
      'Forbidden',
      'Caller is not authorized to perform action on resource.\r\n' +
        'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n' +
        `Caller: ${details.caller}\r\n` +
        `Action: '${details.action}'\r\n` +
        `Resource: '${details.resource}'\r\n` +
        'Assignment: (not found)\r\n' +
        'DenyAssignmentId: null\r\n' +
        "DecisionReason: 'DeniedWithNoValidRBAC' \r\n" +
        `Vault: ${details.vault};location=local\r\n`,
      'ForbiddenByRbac',
    ),
  disabled: (noun: ObjectNoun, operation = 'get') =>
    new KeyVaultError(403, 'Forbidden', `Operation ${operation} is not allowed on a disabled ${noun.toLowerCase()}.`, `${noun}Disabled`),
  purgeProtected: (vault: string) =>
    new KeyVaultError(
      403,
      'Forbidden',
      'Operation "purge" is not allowed because purge protection is enabled for this vault. ' +
        `Key Vault service will automatically purge it after the retention period has passed.\r\nVault: ${vault};location=local`,
    ),
  /** Set or delete, through the secrets API, of the secret behind a certificate. */
  managedObject: (operation: 'set' | 'delete') =>
    new KeyVaultError(403, 'Forbidden', `Operation "${operation}" is not allowed as this object's lifetime is managed by Key Vault.`, 'SecretManagedByKeyVault'),
  pendingNotInProgress: () => new KeyVaultError(403, 'Forbidden', 'Pending status must be in progress to allow update.'),

  // 404
  notFound: (noun: ObjectNoun, nameOrId: string) =>
    new KeyVaultError(
      404,
      notFoundCode[noun],
      `A ${noun.toLowerCase()} with (name/id) ${nameOrId} was not found in this key vault. ` +
        `If you recently deleted this ${noun.toLowerCase()} you may be able to recover it using the correct recovery command. ` +
        'For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182',
    ),
  /** GET of a deleted object whose delete is still being carried out; a name that is not
   * deleted at all gets `notFound`. */
  deletionInProgress: (noun: ObjectNoun, name: string) => new KeyVaultError(404, notFoundCode[noun], `Deleted ${noun} not found: ${name}`),
  pendingCertificateNotFound: (name: string) => new KeyVaultError(404, 'PendingCertificateNotFound', `Pending Certificate not found: ${name}`),
  /** Generic 404 for certificate sub-resources (issuers, contacts). */
  resourceNotFound: (code: string, message: string) => new KeyVaultError(404, code, message),

  // 409
  deletedButRecoverable: (noun: ObjectNoun, name: string) =>
    new KeyVaultError(
      409,
      'Conflict',
      `${noun} ${name} is currently in a deleted but recoverable state, and its name cannot be reused; ` +
        `in this state, the ${noun.toLowerCase()} can only be recovered or purged.`,
      'ObjectIsDeletedButRecoverable',
    ),
  /** Purge or recover before the soft delete has finished. */
  beingDeleted: (noun: ObjectNoun) => new KeyVaultError(409, 'Conflict', `${noun} is currently being deleted.`, 'ObjectIsBeingDeleted'),
  /** Set, create, import or restore while a delete or purge of the name is being carried out. */
  beingDeletedCannotRecreate: (noun: ObjectNoun, name: string) =>
    new KeyVaultError(409, 'Conflict', `${noun} ${name} is currently being deleted and cannot be re-created; retry later.`, 'ObjectIsBeingDeleted'),
  beingRecovered: (noun: ObjectNoun, name: string) =>
    new KeyVaultError(409, 'Conflict', `${noun} ${name} is currently being recovered and cannot be re-created; retry later.`, 'ObjectIsBeingRecovered'),
  /** `id` is the backed-up version's id on this vault. */
  restoreConflict: (noun: ObjectNoun, id: string) =>
    new KeyVaultError(409, 'Conflict', `Conflict while restoring ${noun.toLowerCase()} ${id} - ${noun.toLowerCase()} already exists or concurrent access`),

  // Certificates (handlers/certificates*.ts)
  /** Create or import while an operation is in progress (the service's status is 409, its code "Forbidden"). */
  pendingCertificateExists: () =>
    new KeyVaultError(409, 'Forbidden', "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress."),
  /** Merge of an operation that an issuer is carrying out (the service's text, typo included). */
  mergeWhileIssuing: (issuer: string) => new KeyVaultError(403, 'Forbidden', `Merge is forbidden on pending object created with issuer : ${issuer} while it is in progess.`),
  certificateNameInUse: (name: string) =>
    new KeyVaultError(409, 'Conflict', `A secret named ${name} that is not managed by a certificate already exists; choose another certificate name.`),
  notMergeable: (name: string) =>
    new KeyVaultError(
      403,
      'Forbidden',
      `The pending operation of certificate ${name} is not waiting for a merge (its issuer signs it, or it already finished).`,
      'ForbiddenByPolicy',
    ),
  issuerNotFound: () => new KeyVaultError(404, 'CertificateIssuerNotFound', 'Issuer not found'),
  contactsNotFound: () => new KeyVaultError(404, 'ContactsNotFound', 'Contacts not found'),

  // 429 / 503 (fault injection and throttling). Retry-After is always sent: the service's 429 may
  // lack it, but the JS SDK retries a 429 only when it is there.
  throttled: (retryAfterSeconds: number) =>
    new KeyVaultError(429, 'Throttled', 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached', undefined, {
      'retry-after': String(retryAfterSeconds),
    }),
  serviceUnavailable: (retryAfterSeconds: number) =>
    new KeyVaultError(503, 'ServiceUnavailable', 'The service is temporarily unavailable. Please retry.', undefined, {
      'retry-after': String(retryAfterSeconds),
    }),

  // 500 — never with internals
  internal: (requestId: string) => new KeyVaultError(500, 'InternalServerError', `The server encountered an internal error. Request id: ${requestId}.`),
};
