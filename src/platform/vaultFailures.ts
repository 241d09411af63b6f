import { isRestError } from './restError.js';
import { problems, type Problem, type Subject } from './problems.js';

/**
 * What a failed vault call means for whoever made it:
 * - `retryable`: the same call may succeed later (no answer, 408, 5xx, or Key Vault still
 *   deleting / recovering the name);
 * - `throttled`: the vault asked to slow down; try again after `retryAfterMs`;
 * - `permanent`: trying again changes nothing (the request, the object or the access is wrong).
 * Anything that is not an answer from a service (a bug, a poller's own error) is `unknown`.
 */
export type FailureClass = 'retryable' | 'throttled' | 'permanent' | 'unknown';

export interface VaultFailure {
  class: FailureClass;
  status?: number;
  /** Key Vault's inner error code (e.g. `SecretDisabled`, `ObjectIsBeingDeleted`). */
  inner?: string;
  retryAfterMs?: number;
}

const SETTLING_CODES = new Set(['ObjectIsBeingDeleted', 'ObjectIsBeingRecovered']);
const DEFAULT_RETRY_AFTER_MS = 5_000;

export function classifyVaultFailure(error: unknown): VaultFailure {
  if (!isRestError(error)) return { class: 'unknown' };
  const status = error.statusCode;
  const inner = innerCode(error);
  const after = retryAfterMs(error);
  if (status === undefined || status === 408 || status >= 500) return { class: 'retryable', status, inner, retryAfterMs: after };
  if (status === 429) return { class: 'throttled', status, inner, retryAfterMs: after ?? DEFAULT_RETRY_AFTER_MS };
  if (status === 409 && SETTLING_CODES.has(inner ?? '')) return { class: 'retryable', status, inner };
  return { class: 'permanent', status, inner };
}

/** Key Vault refused because a delete, purge or recovery of the name is still being carried out. */
export function isSettling(error: unknown): boolean {
  const failure = classifyVaultFailure(error);
  return failure.status === 409 && SETTLING_CODES.has(failure.inner ?? '');
}

/** Key Vault refused a purge because the vault has purge protection on. */
function isPurgeProtected(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 403 && /\bpurge protection is enabled\b/i.test(error.message);
}

export function isNotFound(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 404;
}

export interface ProblemOptions {
  /** Key Vault's 400 message describes the caller's content (e.g. an imported certificate) and may be shown. */
  explainBadRequest?: boolean;
}

/**
 * The problem a caller is told about for a failed vault call on `subject`. Messages are ours,
 * built from the object's name; Key Vault's own text is passed on only for a 400 about content
 * the caller sent (`explainBadRequest`). Undefined for failures that are not the caller's to
 * know about (they become a 500 carrying only a request id).
 */
export function vaultProblem(error: unknown, subject: Subject, options: ProblemOptions = {}): Problem | undefined {
  if (!isRestError(error)) return undefined;
  const failure = classifyVaultFailure(error);
  const retryAfterSeconds = failure.retryAfterMs === undefined ? undefined : Math.ceil(failure.retryAfterMs / 1000);
  switch (failure.status) {
    case undefined:
      return problems.vaultUnreachable();
    case 400:
      if (options.explainBadRequest) return problems.vaultRejected(subject, firstLine(error.message));
      return problems.vaultRejectedRequest(subject, error.code === 'BadParameter' ? 'a parameter is invalid' : 'it is malformed');
    case 403:
      if (failure.inner === `${subject.kind}Disabled`) return problems.disabled(subject);
      if (failure.inner === 'ForbiddenByRbac' || failure.inner === 'AccessDenied') return problems.vaultAccessDenied(subject);
      // A vault with purge protection answers a purge with 403 `Forbidden`, no inner code, and
      // 'Operation "purge" is not allowed because purge protection is enabled for this vault. …'.
      if (isPurgeProtected(error)) return problems.purgeProtected(subject);
      // Key Vault's other 403s without an access code refuse the operation itself (a finished
      // pending operation cannot be cancelled); its first line says why.
      return problems.vaultNotAllowed(subject, firstLine(error.message));
    case 404:
      return problems.notFound(subject);
    case 409:
      if (failure.inner === 'ObjectIsDeletedButRecoverable' || /deleted but recoverable/i.test(error.message)) return problems.deletedButRecoverable(subject);
      if (failure.inner === 'ObjectIsBeingDeleted') return problems.beingDeleted(subject);
      if (failure.inner === 'ObjectIsBeingRecovered') return problems.beingRecovered(subject);
      return problems.stateConflict(subject);
    case 429:
      return problems.throttled(retryAfterSeconds ?? 5);
    case 500:
    case 502:
    case 503:
    case 504:
      return problems.vaultUnavailable(retryAfterSeconds);
  }
  return undefined;
}

/** Runs a vault call; a failure the caller should hear about becomes its problem. */
export async function vaultCall<T>(subject: Subject, call: () => Promise<T>, options?: ProblemOptions): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw vaultProblem(error, subject, options) ?? error;
  }
}

const firstLine = (message: string) => message.split(/\r?\n/)[0]?.trim() ?? '';

/** Key Vault's inner error code (e.g. `SecretDisabled`, `ForbiddenByRbac`). */
export function innerCode(error: { details?: unknown }): string | undefined {
  const details = error.details as { error?: { innerError?: { code?: string }; innererror?: { code?: string } } } | undefined;
  return details?.error?.innerError?.code ?? details?.error?.innererror?.code;
}

function retryAfterMs(error: { response?: { headers: { get(name: string): string | undefined } } }): number | undefined {
  const header = error.response?.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
