import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { classifyVaultFailure, vaultProblem } from '../../../../src/platform/vaultFailures.js';

/** A Key Vault answer as the SDK throws it. */
function vaultError(status: number | undefined, body: { code: string; message: string; inner?: string }, headers: Record<string, string> = {}): RestError {
  const request = createPipelineRequest({ url: 'https://unit.vault.azure.net/secrets/s' });
  const error = new RestError(body.message, {
    code: body.code,
    statusCode: status,
    request,
    ...(status === undefined ? {} : { response: { status, headers: createHttpHeaders(headers), request } }),
  });
  error.details = { error: { code: body.code, message: body.message, ...(body.inner ? { innererror: { code: body.inner } } : {}) } };
  return error;
}

const secret = { kind: 'Secret' as const, name: 's' };

describe('classifying vault failures', () => {
  it('tells retryable, throttled and permanent failures apart', () => {
    expect(classifyVaultFailure(vaultError(undefined, { code: 'ECONNRESET', message: 'reset' })).class).toBe('retryable');
    expect(classifyVaultFailure(vaultError(503, { code: 'ServiceUnavailable', message: 'busy' })).class).toBe('retryable');
    expect(classifyVaultFailure(vaultError(409, { code: 'Conflict', message: 'being deleted', inner: 'ObjectIsBeingDeleted' })).class).toBe('retryable');
    expect(classifyVaultFailure(vaultError(429, { code: 'Throttled', message: 'slow down' }, { 'retry-after': '7' }))).toMatchObject({
      class: 'throttled',
      retryAfterMs: 7_000,
    });
    expect(classifyVaultFailure(vaultError(409, { code: 'Conflict', message: 'deleted but recoverable', inner: 'ObjectIsDeletedButRecoverable' })).class).toBe('permanent');
    expect(classifyVaultFailure(vaultError(404, { code: 'SecretNotFound', message: 'no' })).class).toBe('permanent');
    expect(classifyVaultFailure(new TypeError('bug')).class).toBe('unknown');
  });

  it('reports a refusal for lack of access as such, and any other 403 with Key Vault’s reason', () => {
    const rbac = vaultError(403, { code: 'Forbidden', message: 'Caller is not authorized to perform action on resource.\r\nCaller: x', inner: 'ForbiddenByRbac' });
    expect(vaultProblem(rbac, secret)).toMatchObject({ kind: 'forbidden', code: 'VaultAccessDenied' });
    const policy = vaultError(403, { code: 'Forbidden', message: 'The user does not have secrets get permission', inner: 'AccessDenied' });
    expect(vaultProblem(policy, secret)).toMatchObject({ code: 'VaultAccessDenied' });

    const finished = vaultError(403, { code: 'Forbidden', message: 'Pending status must be in progress to allow update.' });
    const problem = vaultProblem(finished, { kind: 'Certificate', name: 'c' });
    expect(problem).toMatchObject({ kind: 'forbidden', code: 'OperationNotAllowed' });
    expect(problem!.message).toContain('Pending status must be in progress to allow update.');
  });

  it('tells a purge refused by purge protection apart, naming the purge date and the way to recover', () => {
    // Key Vault's answer, as public reports quote it (e.g. https://github.com/Azure/sap-automation/pull/200).
    const message =
      'Operation "purge" is not allowed because purge protection is enabled for this vault. ' +
      'Key Vault service will automatically purge it after the retention period has passed.\r\nVault: v;location=westeurope';
    const problem = vaultProblem(vaultError(403, { code: 'Forbidden', message }), { kind: 'Secret', name: 's', deleted: true });
    expect(problem).toMatchObject({ kind: 'forbidden', code: 'PurgeProtected' });
    expect(problem!.message).toContain('scheduledPurgeDate');
    expect(problem!.message).toContain('POST /api/deleted-secrets/s/recover');
    expect(problem!.message).not.toContain('Vault: v');
    expect(vaultProblem(vaultError(403, { code: 'Forbidden', message }), { kind: 'Certificate', name: 'c', deleted: true })!.message).toContain(
      'POST /api/deleted-certificates/c/recover',
    );
    // In a vault of KEYVAULTS the routes it names are that vault's; `default` is the plain routes.
    expect(vaultProblem(vaultError(403, { code: 'Forbidden', message }), { kind: 'Secret', name: 's', vault: 'payments', deleted: true })!.message).toContain(
      'POST /api/vaults/payments/deleted-secrets/s/recover',
    );
    expect(vaultProblem(vaultError(403, { code: 'Forbidden', message }), { kind: 'Secret', name: 's', vault: 'default', deleted: true })!.message).toContain(
      'POST /api/deleted-secrets/s/recover',
    );
    // Not a question of purge protection: a refusal for lack of access keeps its own code.
    const rbac = vaultError(403, { code: 'Forbidden', message: 'Caller is not authorized to perform action on resource.', inner: 'ForbiddenByRbac' });
    expect(vaultProblem(rbac, secret)!.code).toBe('VaultAccessDenied');
    expect(classifyVaultFailure(vaultError(403, { code: 'Forbidden', message })).class).toBe('permanent');
  });

  it('passes the throttling delay on to the caller', () => {
    expect(vaultProblem(vaultError(429, { code: 'Throttled', message: 'slow down' }, { 'retry-after': '7' }), secret)).toMatchObject({
      code: 'Throttled',
      retryAfterSeconds: 7,
    });
  });
});
