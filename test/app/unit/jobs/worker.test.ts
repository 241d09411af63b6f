import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import type { CertificateClient } from '@azure/keyvault-certificates';
import { beforeEach, describe, expect, it } from 'vitest';
import type { JobMessage } from '../../../../src/jobs/message.js';
import { failPoisonedJob } from '../../../../src/jobs/poison.js';
import { handleJobMessage, runCertificateJob, type WorkerDeps } from '../../../../src/jobs/worker.js';
import { startOperation, sweepStuckOperations, type OperationsDeps } from '../../../../src/operations/lifecycle.js';
import { InMemoryOperationStore } from '../../../../src/operations/memoryStore.js';
import type { VaultEvent } from '../../../../src/platform/events.js';

const VAULT = 'https://unit.vault.azure.net';

/** A Key Vault answer as the SDK throws it. */
function vaultError(status: number, headers: Record<string, string> = {}): RestError {
  const request = createPipelineRequest({ url: `${VAULT}/certificates/c/create` });
  return new RestError(`status ${status}`, { statusCode: status, request, response: { status, headers: createHttpHeaders(headers), request } });
}

/**
 * A certificate client that completes a create after `pollsToFinish` polls, counting every call
 * that would change the vault. `onPoll` runs before each poll (to take the lease away, say).
 */
class FakeCertificates {
  readonly vaultUrl = VAULT;
  creates = 0;
  deletes = 0;
  calls = 0;
  pollsToFinish = 0;
  failWith?: RestError;
  /** Key Vault failed the operation with this message: the SDK's pollers throw it as a plain Error. */
  vaultFailure?: string;
  onPoll?: () => Promise<void>;
  private polls = 0;

  private poller(result: object) {
    return {
      poll: async () => {
        this.calls++;
        await this.onPoll?.();
        this.polls++;
        if (this.vaultFailure) throw new Error(this.vaultFailure);
      },
      isDone: () => this.polls >= this.pollsToFinish,
      getResult: () => (this.polls >= this.pollsToFinish ? result : undefined),
      getOperationState: () => ({ result }),
      toString: () => JSON.stringify({ state: { polls: this.polls } }),
    };
  }

  async beginCreateCertificate(name: string, _policy: unknown, options: { resumeFrom?: string }) {
    this.calls++;
    if (this.failWith) throw this.failWith;
    if (!options.resumeFrom) this.creates++;
    return this.poller({ cer: new Uint8Array([1]), properties: { id: `${VAULT}/certificates/${name}/v1`, version: 'v1' } });
  }

  async beginDeleteCertificate(name: string) {
    this.calls++;
    if (this.failWith) throw this.failWith;
    this.deletes++;
    return this.poller({ recoveryId: `${VAULT}/deletedcertificates/${name}` });
  }

  async getCertificateOperation() {
    this.calls++;
    if (this.vaultFailure) throw new Error(this.vaultFailure);
    return { getOperationState: () => ({ certificateOperation: { status: 'inProgress' } }) };
  }

  async getCertificatePolicy() {
    this.calls++;
    return { issuerName: 'Self', subject: 'CN=c' };
  }
}

let store: InMemoryOperationStore;
let certificates: FakeCertificates;
let queued: { message: JobMessage; delaySeconds: number }[];
let events: Omit<VaultEvent, 'time'>[];
let deps: WorkerDeps;
let operations: OperationsDeps;

beforeEach(() => {
  store = new InMemoryOperationStore();
  certificates = new FakeCertificates();
  queued = [];
  events = [];
  const queue = { enqueue: async (message: JobMessage, delaySeconds = 0) => void queued.push({ message, delaySeconds }) };
  const publisher = { publish: async (event: Omit<VaultEvent, 'time'>) => void events.push(event) };
  deps = {
    vault: 'default',
    certificates: certificates as unknown as CertificateClient,
    operations: store,
    queue,
    events: publisher,
    log: () => undefined,
    pollIntervalMs: 1,
    pollBudgetMs: 1_000,
    requeueDelaySeconds: 3,
  };
  operations = { store, queue, events: publisher, log: () => undefined };
});

/** Starts an operation the way the API does and returns its job. */
async function started(kind: JobMessage['kind'] = 'certificate.create', name = 'c'): Promise<JobMessage> {
  const { operation } = await startOperation(operations, { kind, name, ...(kind === 'certificate.create' ? { policy: { issuerName: 'Self', subject: `CN=${name}` } } : {}) });
  const job = queued.shift()!;
  expect(job.message.operationId).toBe(operation.id);
  return job.message;
}

const operationOf = async (job: JobMessage) => (await store.get(job.operationId))!;

describe('certificate job worker', () => {
  it('carries a create to Succeeded with one Key Vault request', async () => {
    const job = await started();
    certificates.pollsToFinish = 2;
    await runCertificateJob(job, deps);
    const operation = await operationOf(job);
    expect(operation).toMatchObject({ status: 'Succeeded', attempts: 1, result: { version: 'v1' } });
    expect(operation.progress.leaseOwner).toBeUndefined();
    expect(certificates.creates).toBe(1);
    expect(queued).toEqual([]);
  });

  it("fails a job for another vault than the worker's without calling Key Vault; the same name in two vaults runs at once", async () => {
    const inDefault = await started('certificate.delete', 'c');
    const { operation } = await startOperation(operations, { kind: 'certificate.delete', name: 'c', vault: 'payments' });
    expect(inDefault.operationId).not.toBe(operation.id);
    const job = queued.shift()!.message;
    expect(job).toMatchObject({ operationId: operation.id, vault: 'payments' });
    expect((await store.get(operation.id))!.target).toEqual({ type: 'certificate', name: 'c', vault: 'payments' });
    await runCertificateJob(job, deps);
    expect(await operationOf(job)).toMatchObject({ status: 'Failed', error: { code: 'InvalidJob' } });
    expect(certificates.deletes).toBe(0);
  });

  it('defers a delivery that finds the operation leased to another invocation, without calling Key Vault', async () => {
    const job = await started();
    await store.update(job.operationId, (current) => ({
      ...current,
      status: 'Running',
      progress: { leaseOwner: 'other', leaseUntil: new Date(Date.now() + 60_000).toISOString() },
    }));
    await runCertificateJob(job, deps);
    expect(certificates.calls).toBe(0);
    expect(queued).toHaveLength(1);
    expect(queued[0]!.delaySeconds).toBeGreaterThanOrEqual(30);
    expect((await operationOf(job)).progress.leaseOwner).toBe('other');
  });

  it('hands a long operation over to a re-queued job that resumes it instead of sending it again', async () => {
    const job = await started();
    certificates.pollsToFinish = 1_000_000;
    deps.pollBudgetMs = 5;
    await runCertificateJob(job, deps);
    expect(queued).toHaveLength(1);
    const handover = queued.shift()!;
    expect(handover).toMatchObject({ delaySeconds: 3, message: { attempt: 1, operationId: job.operationId } });
    expect(handover.message.pollerState).toBeDefined();
    expect(await operationOf(job)).toMatchObject({ status: 'Running', progress: { leaseOwner: undefined } });

    certificates.pollsToFinish = 0;
    await runCertificateJob(handover.message, deps);
    expect(await operationOf(job)).toMatchObject({ status: 'Succeeded', attempts: 2 });
    expect(certificates.creates).toBe(1);
  });

  it('fails the operation at once on a permanent refusal, and publishes OperationFailed', async () => {
    const job = await started();
    certificates.failWith = vaultError(400);
    await runCertificateJob(job, deps);
    expect(await operationOf(job)).toMatchObject({ status: 'Failed', error: { code: 'InvalidRequest' } });
    expect(events).toMatchObject([{ type: 'OperationFailed', name: 'c' }]);
    expect(queued).toEqual([]);
  });

  it('fails a create that Key Vault failed at once, with its reason', async () => {
    const job = await started();
    certificates.pollsToFinish = 2;
    certificates.vaultFailure = 'the issuer rejected the request';
    await runCertificateJob(job, deps);
    expect(await operationOf(job)).toMatchObject({ status: 'Failed', error: { code: 'CertificateOperationFailed', message: expect.stringContaining('the issuer rejected') } });
    expect(queued).toEqual([]);
  });

  it('leaves a transient failure to the queue: error recorded, lease released, still running', async () => {
    const job = await started();
    certificates.failWith = vaultError(503);
    await expect(runCertificateJob(job, deps)).rejects.toBe(certificates.failWith);
    expect(await operationOf(job)).toMatchObject({ status: 'Running', error: { code: 'VaultUnavailable' }, progress: { leaseOwner: undefined } });
    expect(events).toEqual([]);
  });

  it('waits out throttling with Retry-After instead of using up a delivery', async () => {
    const job = await started();
    certificates.failWith = vaultError(429, { 'retry-after': '7' });
    await runCertificateJob(job, deps);
    expect(queued).toMatchObject([{ delaySeconds: 7, message: { attempt: 1 } }]);
    expect(await operationOf(job)).toMatchObject({ status: 'Running', error: { code: 'Throttled' } });
  });

  it('fails a poisoned job with its last error, once', async () => {
    const job = await started();
    certificates.failWith = vaultError(503);
    await runCertificateJob(job, deps).catch(() => undefined);
    const poison = { operations: store, events: deps.events, log: () => undefined };
    await failPoisonedJob(job, poison);
    const failed = await operationOf(job);
    expect(failed).toMatchObject({ status: 'Failed', error: { code: 'VaultUnavailable' } });
    expect(failed.error!.message).toMatch(/gave up after 1 attempt/);
    await failPoisonedJob(job, poison);
    expect(await operationOf(job)).toEqual(failed);
    expect(events).toHaveLength(1);
  });

  it('stops before its next write when another invocation takes the lease while it polls', async () => {
    const job = await started();
    certificates.pollsToFinish = 3;
    certificates.onPoll = async () => {
      await store.update(job.operationId, (current) => ({
        ...current,
        progress: { ...current.progress, leaseOwner: 'thief', leaseUntil: new Date(Date.now() + 60_000).toISOString() },
      }));
    };
    await runCertificateJob(job, deps);
    const operation = await operationOf(job);
    expect(operation.status).toBe('Running');
    expect(operation.progress.leaseOwner).toBe('thief');
    expect(certificates.calls).toBe(2); // the create and one poll: nothing after the lease was gone
    expect(queued).toEqual([]);
    expect(events).toEqual([]);
  });

  it('changes nothing when a job is delivered again after its operation finished', async () => {
    const job = await started('certificate.renew');
    await runCertificateJob(job, deps);
    const finished = await operationOf(job);
    expect(finished.status).toBe('Succeeded');
    expect(events).toMatchObject([{ type: 'CertificateRenewed', name: 'c', version: 'v1' }]);
    const callsBefore = certificates.calls;

    await runCertificateJob(job, deps);
    await runCertificateJob({ ...job, attempt: 4, pollerState: '{}' }, deps);
    expect(await operationOf(job)).toEqual(finished);
    expect(certificates.calls).toBe(callsBefore);
    expect(events).toHaveLength(1);
    expect(queued).toEqual([]);
  });

  it('fails the operation of a job whose policy the API would have refused, without calling Key Vault', async () => {
    const job = await started();
    await handleJobMessage({ ...job, policy: { subject: 'CN=c', keyType: 'RSA', keySize: 1234 } }, deps);
    expect(await operationOf(job)).toMatchObject({ status: 'Failed', error: { code: 'InvalidJob' } });
    expect(certificates.calls).toBe(0);
  });
});

describe('starting and sweeping operations', () => {
  it('fails an operation whose job cannot be queued and frees the name', async () => {
    operations.queue = { enqueue: async () => Promise.reject(new Error('queue down')) };
    const first = await startOperation(operations, { kind: 'certificate.renew', name: 'c' });
    expect(first).toMatchObject({ created: true, operation: { status: 'Failed', error: { code: 'QueueUnavailable' } } });
    expect(events).toMatchObject([{ type: 'OperationFailed', name: 'c' }]);

    operations.queue = deps.queue;
    const second = await startOperation(operations, { kind: 'certificate.delete', name: 'c' });
    expect(second).toMatchObject({ created: true, operation: { status: 'NotStarted' } });
  });

  it('fails operations whose job never started, and leaves the others', async () => {
    const now = Date.now();
    const stuck = await started('certificate.delete', 'stuck');
    const running = await started('certificate.delete', 'running');
    const recent = await started('certificate.delete', 'recent');
    await store.update(running.operationId, (current) => ({ ...current, status: 'Running' }));
    const sweep = { ...operations, now: () => new Date(now + 31 * 60_000) };
    // Only operations created more than 30 minutes before `now` are stuck: "recent" is made younger.
    await store.update(recent.operationId, (current) => ({ ...current, createdAt: new Date(now + 10 * 60_000).toISOString() }));

    expect(await sweepStuckOperations(sweep)).toBe(1);
    expect(await operationOf(stuck)).toMatchObject({ status: 'Failed', error: { code: 'JobNotStarted' } });
    expect((await operationOf(running)).status).toBe('Running');
    expect((await operationOf(recent)).status).toBe('NotStarted');
    expect((await startOperation(operations, { kind: 'certificate.delete', name: 'stuck' })).created).toBe(true);
  });
});
