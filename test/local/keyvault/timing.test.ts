// The timing model with default options (`realistic`): the SDK's own long-running operations
// behave against the emulator as against Azure Key Vault. The sequences asserted here are the
// service's, as recorded in live sessions, for example:
// - delete, then `Deleted Secret not found` until the deleted object is readable:
//   https://github.com/Azure/azure-sdk-assets/blob/956559ff2d6dc5eafb5176884a5a62129a692974/python/sdk/keyvault/azure-keyvault-secrets/tests/recordings/test_samples_secrets.pyTestExamplesKeyVaulttest_example_secrets_recover%5B2025-07-01%5D.json
// - the live secret is gone at once (404 in the same second as the DELETE):
//   https://github.com/Azure/azure-sdk-assets/blob/033d39a9d2902a59185b78813bd36e22ba330de1/net/sdk/keyvault/Azure.Security.KeyVault.Secrets/tests/SessionRecords/SecretClientLiveTests/StartDeleteSecret.json
// - a certificate create in progress, its pending-only certificate, then completed:
//   https://github.com/Azure/azure-sdk-assets/blob/11a73707a25d2832582c61fb956881b0954a0ca2/net/sdk/keyvault/Azure.Security.KeyVault.Certificates/tests/SessionRecords/CertificateClientLiveTests/VerifyCertificateGetWithPolicyInProgress.json
// - a purge before the delete finished: 409 ObjectIsBeingDeleted (https://github.com/Azure/azure-cli/issues/12722);
//   a set right after a purge: 409 "…cannot be re-created; retry later." (https://github.com/Azure/azure-sdk-for-net/issues/34322);
//   a set right after a recovery: 409 ObjectIsBeingRecovered (https://github.com/hashicorp/terraform-provider-azurerm/issues/12285).
// Tests assert on the states the clients observe, never on how long anything took.
import { CertificateClient, DefaultCertificatePolicy, type CertificatePolicy } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../local/keyvault/index.js';
import { adminRequest, credentialFor } from './helpers.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, inMemory: true });
  process.env['IDENTITY_ENDPOINT'] = emulator.identityEndpoint;
  process.env['IDENTITY_HEADER'] = emulator.identityHeader;
});

afterAll(async () => {
  await emulator?.stop();
});

/** A fresh client each time: a resumed poller must not depend on the client that started it. */
const clientOptions = () => ({ tlsOptions: { ca: emulator.caPem }, disableChallengeResourceVerification: true });
const secretClient = () => new SecretClient(emulator.vaultUrl, credentialFor(emulator), clientOptions());
const certificateClient = () => new CertificateClient(emulator.vaultUrl, credentialFor(emulator), clientOptions());
/** Answers with `status` so far (each new client's first request also gets the 401 challenge). */
const answered = (operation: string, status: number) => emulator.counters.snapshot().operations[operation]?.statuses[String(status)] ?? 0;
const innerCode = (error: unknown) => (error as { details?: { error?: { innerError?: { code?: string } } } }).details?.error?.innerError?.code;

/** Retries `attempt` while it fails with 409 (as a client following the service's "retry later" does). */
async function whenNotConflicting<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 409 || tries > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

describe('realistic timing is the default', () => {
  it('reports the realistic durations', () => {
    expect(emulator.settings).toEqual({ timing: 'realistic', certificateCreateMs: 2000, deleteMs: 2000, recoverMs: 2000, purgeMs: 2000 });
  });
});

describe('with default options, the SDK pollers see each step in progress, then done', () => {
  const policy: CertificatePolicy = { ...DefaultCertificatePolicy, subject: 'CN=timed' };

  it('a secret delete poller observes the delete in progress, stops, and resumed by another client completes', async () => {
    await secretClient().setSecret('timed-delete', 'v1');
    const before = { deletes: answered('deleteSecret', 200), reads: answered('getDeletedSecret', 200) };
    const poller = await secretClient().beginDeleteSecret('timed-delete');
    expect(poller.getOperationState().isStarted).toBe(true);
    expect(poller.isDone()).toBe(false);
    poller.stopPolling();
    const state = poller.toString();

    const resumed = await secretClient().beginDeleteSecret('timed-delete', { resumeFrom: state, intervalInMs: 200 });
    const deleted = await resumed.pollUntilDone();
    expect(deleted.name).toBe('timed-delete');
    expect(deleted.properties.recoveryId).toBe(`${emulator.vaultUrl}/deletedsecrets/timed-delete`);
    expect(answered('deleteSecret', 200) - before.deletes).toBe(1);
    expect(answered('getDeletedSecret', 404)).toBeGreaterThanOrEqual(1);
    expect(answered('getDeletedSecret', 200) - before.reads).toBe(1);
  });

  it('reading a just-deleted secret before its delete finished gets the service answers', async () => {
    const client = secretClient();
    await client.setSecret('read-too-early', 'v1');
    const poller = await client.beginDeleteSecret('read-too-early');

    await expect(client.getSecret('read-too-early')).rejects.toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
      message: expect.stringMatching(/^A secret with \(name\/id\) read-too-early was not found in this key vault/),
    });
    await expect(client.getDeletedSecret('read-too-early')).rejects.toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
      message: 'Deleted Secret not found: read-too-early',
    });

    // Once the delete has finished: readable as deleted, and the name is deleted-but-recoverable.
    await poller.pollUntilDone();
    expect((await client.getDeletedSecret('read-too-early')).properties.recoveryId).toBeDefined();
    const again = await client.setSecret('read-too-early', 'v2').catch((error: unknown) => error);
    expect(innerCode(again)).toBe('ObjectIsDeletedButRecoverable');
  });

  it('a secret recover poller waits for the recovery', async () => {
    const client = secretClient();
    await client.setSecret('timed-recover', 'kept');
    await (await client.beginDeleteSecret('timed-recover', { intervalInMs: 200 })).pollUntilDone();

    const poller = await client.beginRecoverDeletedSecret('timed-recover', { intervalInMs: 200 });
    expect(poller.isDone()).toBe(false);
    const recovered = await poller.pollUntilDone();
    expect(recovered.name).toBe('timed-recover');
    expect((await client.getSecret('timed-recover')).value).toBe('kept');
  });

  it('after a purge the name is free again once the purge is done', async () => {
    const client = secretClient();
    await client.setSecret('timed-purge', 'old');
    await (await client.beginDeleteSecret('timed-purge', { intervalInMs: 200 })).pollUntilDone();
    await client.purgeDeletedSecret('timed-purge');
    const created = await whenNotConflicting(() => client.setSecret('timed-purge', 'new'));
    expect(created.value).toBe('new');
    const versions = [];
    for await (const version of client.listPropertiesOfSecretVersions('timed-purge')) versions.push(version.version);
    expect(versions).toEqual([created.properties.version]);
  });

  it('a certificate create poller observes inProgress, stops, and resumed by another client completes', async () => {
    const creates = answered('createCertificate', 202);
    const poller = await certificateClient().beginCreateCertificate('timed-create', policy, { tags: { team: 'a' }, enabled: true });
    expect(poller.isDone()).toBe(false);
    poller.stopPolling();
    const state = poller.toString();

    const resumed = await certificateClient().beginCreateCertificate('timed-create', policy, { resumeFrom: state, intervalInMs: 200 });
    const certificate = await resumed.pollUntilDone();
    expect(certificate.cer?.length).toBeGreaterThan(0);
    expect(certificate.properties.tags).toEqual({ team: 'a' });
    expect(answered('createCertificate', 202) - creates).toBe(1);
  });

  it('an abort signal during creation aborts the wait', async () => {
    const controller = new AbortController();
    const poller = await certificateClient().beginCreateCertificate('timed-abort', policy, { abortSignal: controller.signal });
    expect(poller.isDone()).toBe(false);
    controller.abort();
    await expect(poller.pollUntilDone()).rejects.toMatchObject({ name: 'AbortError' });
    await expect(poller.poll({ abortSignal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('a cancelled create ends cancelled; a finished one cannot be cancelled', async () => {
    const client = certificateClient();
    const poller = await client.beginCreateCertificate('timed-cancel', policy, { intervalInMs: 200 });
    await poller.cancelOperation();
    const ended = await client.getCertificateOperation('timed-cancel', { intervalInMs: 200 });
    await ended.pollUntilDone();
    expect(ended.getOperationState().certificateOperation).toMatchObject({ status: 'cancelled', cancellationRequested: true });
    expect(ended.getOperationState().certificateOperation?.statusDetails).toBeUndefined();

    await (await client.beginCreateCertificate('timed-done', policy, { intervalInMs: 200 })).pollUntilDone();
    const late = await client.beginCreateCertificate('timed-done', policy, { resumeFrom: JSON.stringify({ state: { certificateName: 'timed-done', isStarted: true } }) });
    await expect(late.cancelOperation()).rejects.toMatchObject({ statusCode: 403, message: 'Pending status must be in progress to allow update.' });
  });

  it('certificate delete and recover pollers observe each step in progress, and resumed by another client complete', async () => {
    await (await certificateClient().beginCreateCertificate('timed-cert-delete', DefaultCertificatePolicy, { intervalInMs: 200 })).pollUntilDone();
    const deletes = answered('deleteCertificate', 200);
    const poller = await certificateClient().beginDeleteCertificate('timed-cert-delete');
    expect(poller.isDone()).toBe(false);
    poller.stopPolling();

    const resumed = await certificateClient().beginDeleteCertificate('timed-cert-delete', { resumeFrom: poller.toString(), intervalInMs: 200 });
    const deleted = await resumed.pollUntilDone();
    expect(deleted.recoveryId).toBe(`${emulator.vaultUrl}/deletedcertificates/timed-cert-delete`);
    expect(answered('deleteCertificate', 200) - deletes).toBe(1);

    const recovering = await certificateClient().beginRecoverDeletedCertificate('timed-cert-delete', { intervalInMs: 200 });
    expect(recovering.isDone()).toBe(false);
    const recovered = await recovering.pollUntilDone();
    expect(recovered.name).toBe('timed-cert-delete');
    expect((await certificateClient().getCertificate('timed-cert-delete')).properties.enabled).toBe(true);
  });
});

// The answers in the middle of a step. The steps here are stretched to a minute, so that the
// probes never race the clock on a busy machine; no test waits for them to end.
describe('in the middle of a step, the service answers', () => {
  const policy: CertificatePolicy = { ...DefaultCertificatePolicy, subject: 'CN=stretched' };
  const MINUTE = 60_000;

  let before: typeof emulator.settings;
  beforeAll(() => {
    before = { ...emulator.settings };
    Object.assign(emulator.settings, { timing: 'custom', certificateCreateMs: MINUTE, deleteMs: MINUTE, recoverMs: MINUTE, purgeMs: MINUTE });
  });
  afterAll(() => {
    Object.assign(emulator.settings, before);
  });

  /** Runs `step` with the given durations (the others stay stretched). */
  async function withDurations(durations: Partial<typeof emulator.settings>, step: () => Promise<unknown>): Promise<void> {
    const saved = { ...emulator.settings };
    Object.assign(emulator.settings, durations);
    try {
      await step();
    } finally {
      Object.assign(emulator.settings, saved);
    }
  }

  it('while a secret is being deleted: 404 for reads, 409 ObjectIsBeingDeleted for purge, recover and set, not listed', async () => {
    const client = secretClient();
    await client.setSecret('mid-delete', 'v1');
    await client.beginDeleteSecret('mid-delete');

    await expect(client.getSecret('mid-delete')).rejects.toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
    await expect(client.getDeletedSecret('mid-delete')).rejects.toMatchObject({ statusCode: 404, message: 'Deleted Secret not found: mid-delete' });
    const purge = await client.purgeDeletedSecret('mid-delete').catch((error: unknown) => error);
    expect(purge).toMatchObject({ statusCode: 409, code: 'Conflict', message: 'Secret is currently being deleted.' });
    expect(innerCode(purge)).toBe('ObjectIsBeingDeleted');
    const recover = await client.beginRecoverDeletedSecret('mid-delete').catch((error: unknown) => error);
    expect(recover).toMatchObject({ statusCode: 409, message: 'Secret is currently being deleted.' });
    const reuse = await client.setSecret('mid-delete', 'v2').catch((error: unknown) => error);
    expect(reuse).toMatchObject({ statusCode: 409, message: 'Secret mid-delete is currently being deleted and cannot be re-created; retry later.' });
    expect(innerCode(reuse)).toBe('ObjectIsBeingDeleted');
    const live = [];
    for await (const secret of client.listPropertiesOfSecrets()) live.push(secret.name);
    const deleted = [];
    for await (const secret of client.listDeletedSecrets()) deleted.push(secret.name);
    expect(live).not.toContain('mid-delete');
    expect(deleted).not.toContain('mid-delete');
  });

  /** A secret whose soft delete has already finished. */
  async function deletedSecret(name: string) {
    const client = secretClient();
    await client.setSecret(name, 'kept');
    await withDurations({ deleteMs: 0 }, () => client.beginDeleteSecret(name));
    return client;
  }

  it('while a secret is being recovered: 404 for reads, 409 ObjectIsBeingRecovered for set', async () => {
    const client = await deletedSecret('mid-recover');
    await client.beginRecoverDeletedSecret('mid-recover');

    await expect(client.getSecret('mid-recover')).rejects.toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
    const busy = await client.setSecret('mid-recover', 'other').catch((error: unknown) => error);
    expect(busy).toMatchObject({ statusCode: 409, message: 'Secret mid-recover is currently being recovered and cannot be re-created; retry later.' });
    expect(innerCode(busy)).toBe('ObjectIsBeingRecovered');
  });

  it('while a purge is carried out: the deleted secret is gone, and the name cannot be reused yet', async () => {
    const client = await deletedSecret('mid-purge');
    await client.purgeDeletedSecret('mid-purge');

    await expect(client.getDeletedSecret('mid-purge')).rejects.toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
    await expect(client.purgeDeletedSecret('mid-purge')).rejects.toMatchObject({ statusCode: 404 });
    const reuse = await client.setSecret('mid-purge', 'new').catch((error: unknown) => error);
    expect(reuse).toMatchObject({ statusCode: 409, message: 'Secret mid-purge is currently being deleted and cannot be re-created; retry later.' });
    expect(innerCode(reuse)).toBe('ObjectIsBeingDeleted');
  });

  it('while a certificate is being created: the pending certificate and its operation carry what the create request set', async () => {
    const client = certificateClient();
    const custom: CertificatePolicy = { ...policy, subject: 'CN=pending', keyType: 'EC', keyCurveName: 'P-384', validityInMonths: 6 };
    await client.beginCreateCertificate('mid-create', custom, { tags: { env: 'test' }, preserveCertificateOrder: true });

    const pending = await client.getCertificate('mid-create');
    expect(pending.properties.enabled).toBe(false);
    expect(pending.properties.tags).toEqual({ env: 'test' });
    expect(pending.properties.preserveCertificateOrder).toBe(true);
    expect(pending.policy).toMatchObject({ subject: 'CN=pending', keyType: 'EC', keyCurveName: 'P-384', validityInMonths: 6 });
    expect(pending.cer).toBeUndefined();
    const operation = (await client.getCertificateOperation('mid-create')).getOperationState().certificateOperation;
    expect(operation).toMatchObject({ status: 'inProgress', issuerName: 'Self', cancellationRequested: false });
    expect(operation?.csr?.length).toBeGreaterThan(0);
    expect(operation?.statusDetails).toMatch(/^Pending certificate created\. Certificate request is in progress\./);

    // A cancellation is carried out too: right after it, the operation still reads inProgress.
    await (await client.getCertificateOperation('mid-create')).cancelOperation();
    const cancelling = (await client.getCertificateOperation('mid-create')).getOperationState().certificateOperation;
    expect(cancelling).toMatchObject({ status: 'inProgress', cancellationRequested: true });
  });

  it('while a certificate is being deleted: 404 Deleted Certificate not found, 409 for create and recover', async () => {
    const client = certificateClient();
    await withDurations({ certificateCreateMs: 0 }, () => client.beginCreateCertificate('mid-cert-delete', policy));
    await client.beginDeleteCertificate('mid-cert-delete');

    await expect(client.getDeletedCertificate('mid-cert-delete')).rejects.toMatchObject({
      statusCode: 404,
      message: 'Deleted Certificate not found: mid-cert-delete',
    });
    await expect(client.beginCreateCertificate('mid-cert-delete', policy)).rejects.toMatchObject({
      statusCode: 409,
      message: 'Certificate mid-cert-delete is currently being deleted and cannot be re-created; retry later.',
    });
    await expect(client.beginRecoverDeletedCertificate('mid-cert-delete')).rejects.toMatchObject({
      statusCode: 409,
      message: 'Certificate is currently being deleted.',
    });
  });
});

describe('instant timing, set at run time', () => {
  it('finishes every step at once', async () => {
    const settings = await adminRequest(emulator, 'PUT', '/settings', { timing: 'instant' });
    expect(settings.json()).toMatchObject({ timing: 'instant', deleteMs: 0 });
    const client = secretClient();
    await client.setSecret('instant', 'v');
    const poller = await client.beginDeleteSecret('instant');
    expect(poller.getOperationState().isCompleted).toBe(true);
    await client.purgeDeletedSecret('instant');
    expect((await client.setSecret('instant', 'again')).value).toBe('again');
    const created = await certificateClient().beginCreateCertificate('instant-cert', DefaultCertificatePolicy);
    expect(created.getOperationState().isCompleted).toBe(true);
  });
});
