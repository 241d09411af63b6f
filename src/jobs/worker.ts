import { randomUUID } from 'node:crypto';
import { isRestError } from '@azure/core-rest-pipeline';
import type { CertificateClient, CertificatePolicy } from '@azure/keyvault-certificates';
import { ApiError } from '../platform/httpErrors.js';
import { toApiError } from '../platform/vaultErrors.js';
import { isSettling } from '../platform/vaultSettling.js';
import { isTerminal, type Operation } from '../operations/model.js';
import type { OperationStore, StoredOperation } from '../operations/store.js';
import type { EventPublisher } from '../platform/events.js';
import type { JobMessage } from './message.js';
import type { JobQueue } from './queue.js';

export interface WorkerDeps {
  certificates: CertificateClient;
  operations: OperationStore;
  queue: JobQueue;
  log: (message: string) => void;
  /** Where CertificateRenewed and OperationFailed are published (optional). */
  events?: EventPublisher;
  /** How long one invocation may poll Key Vault before handing over to a re-enqueued job. */
  pollBudgetMs?: number;
  /** Time between polls of a Key Vault operation. */
  pollIntervalMs?: number;
  /** Delay before the re-enqueued job runs. */
  requeueDelaySeconds?: number;
}

/** How long a worker's claim on an operation lasts without renewal (renewed on every poll). */
const LEASE_MS = 30_000;

/** Anything that is not worth retrying: the operation fails at once with this error. */
class PermanentFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The slice of a Key Vault poller the worker uses; every certificate poller has it. */
interface Poller<TResult> {
  poll(): Promise<void>;
  isDone(): boolean;
  getResult(): TResult | undefined;
  getOperationState(): { isCancelled?: boolean; error?: Error; result?: TResult };
  toString(): string;
}

const lease = (owner: string) => ({ leaseOwner: owner, leaseUntil: new Date(Date.now() + LEASE_MS).toISOString() });

/** The state a poller resumes from after it has started: it only polls, never re-sends the request. */
const startedState = (certificateName: string) => JSON.stringify({ state: { certificateName, isStarted: true, isCompleted: false } });

/**
 * Carries out one certificate job. Redelivery-safe: a finished operation is left alone; a job
 * whose Key Vault request may already have been sent (the operation records when it was sent)
 * resumes that request instead of sending another, so a create never makes two versions.
 */
export async function runCertificateJob(job: JobMessage, deps: WorkerDeps): Promise<void> {
  const operation = await deps.operations.get(job.operationId);
  if (!operation) {
    deps.log(`Job for unknown operation ${job.operationId} dropped`);
    return;
  }
  if (isTerminal(operation.status)) return;

  // Claim the operation: a duplicate delivery of this job finds the lease held and defers itself,
  // so two workers never send the same request. A crashed worker's lease simply runs out.
  const owner = randomUUID();
  const started = await deps.operations.update(job.operationId, (current) => {
    if (isTerminal(current.status)) return undefined;
    const held = current.progress.leaseOwner && Date.parse(current.progress.leaseUntil ?? '') > Date.now();
    if (held) return undefined;
    return { ...current, status: 'Running', attempts: current.attempts + 1, progress: { ...current.progress, ...lease(owner) } };
  });
  if (isTerminal(started.status)) return;
  if (started.progress.leaseOwner !== owner) {
    deps.log(`Operation ${job.operationId} is being worked on by another invocation; checking again later`);
    await deps.queue.enqueue(job, Math.ceil(LEASE_MS / 1000));
    return;
  }

  try {
    const poller = await startOrResume(job, started, deps);
    await pollWithinBudget(job, poller, owner, deps);
  } catch (caught) {
    // A create that Key Vault failed surfaces from the SDK's poller as a plain Error: ask Key
    // Vault's pending operation, which turns it into a permanent failure with its reason.
    let error = caught;
    if ((job.kind === 'certificate.create' || job.kind === 'certificate.renew') && !isRestError(error) && !(error instanceof PermanentFailure)) {
      error = await pendingStatus(job.name, deps).then(
        () => caught,
        (failure: unknown) => (failure instanceof PermanentFailure ? failure : caught),
      );
    }
    const permanent = asPermanent(error, job.name, deps.certificates.vaultUrl);
    if (permanent) {
      await finish(deps, job.operationId, { status: 'Failed', error: { code: permanent.code, message: permanent.message } });
      return;
    }
    // Transient: remember the error and let the queue redeliver (maxDequeueCount, then poison).
    const lastError = describeTransient(error, job.name, deps.certificates.vaultUrl);
    await deps.operations.update(job.operationId, (current) =>
      isTerminal(current.status) ? undefined : { ...current, error: lastError, progress: { ...current.progress, leaseOwner: undefined, leaseUntil: undefined } },
    );
    throw error;
  }
}

type AnyPoller = Poller<unknown>;

async function startOrResume(job: JobMessage, operation: StoredOperation, deps: WorkerDeps): Promise<AnyPoller> {
  const mayHaveSent = job.pollerState !== undefined || operation.progress.submittedAt !== undefined;
  if (mayHaveSent) {
    const resumed = await resume(job, operation, deps);
    if (resumed) return resumed;
  }
  // Recorded before the request goes out: after a crash from here on, the job resumes.
  await deps.operations.update(job.operationId, (current) => ({ ...current, progress: { ...current.progress, submittedAt: new Date().toISOString() } }));
  return start(job, deps);
}

async function start(job: JobMessage, deps: WorkerDeps): Promise<AnyPoller> {
  const options = { intervalInMs: deps.pollIntervalMs ?? 2_000 };
  switch (job.kind) {
    case 'certificate.create':
    case 'certificate.renew':
      return (await deps.certificates.beginCreateCertificate(job.name, await policyFor(job, deps), { ...options, tags: job.tags, enabled: job.enabled })) as AnyPoller;
    case 'certificate.delete':
      return (await deps.certificates.beginDeleteCertificate(job.name, options)) as AnyPoller;
    case 'certificate.recover':
      return (await deps.certificates.beginRecoverDeletedCertificate(job.name, options)) as AnyPoller;
  }
}

/**
 * Picks up a request this operation may already have sent (saved poller state, or a crash after
 * `submittedAt`). Undefined when it evidently never reached Key Vault, so it must be sent now.
 */
async function resume(job: JobMessage, operation: StoredOperation, deps: WorkerDeps): Promise<AnyPoller | undefined> {
  const { certificates } = deps;
  const options = { intervalInMs: deps.pollIntervalMs ?? 2_000, resumeFrom: job.pollerState ?? startedState(job.name) };
  switch (job.kind) {
    case 'certificate.create':
    case 'certificate.renew': {
      let poller: AnyPoller;
      try {
        poller = (await certificates.beginCreateCertificate(job.name, await policyFor(job, deps), options)) as AnyPoller;
      } catch (error) {
        // No pending operation: the request never reached Key Vault, unless a poller state says it
        // did (then the operation was removed behind our back, and sending again would be wrong).
        if (isRestError(error) && error.statusCode === 404 && !job.pollerState) return undefined;
        throw error;
      }
      if (!job.pollerState && poller.isDone()) {
        // A finished operation from before this job's request is someone else's (allowing for
        // clock skew between this app and Key Vault).
        const createdOn = (poller.getResult() as { properties?: { createdOn?: Date } } | undefined)?.properties?.createdOn;
        if (createdOn && createdOn.getTime() < Date.parse(operation.progress.submittedAt ?? '') - 5_000) return undefined;
      }
      return poller;
    }
    case 'certificate.delete':
      if (!job.pollerState && (await exists(() => certificates.getCertificate(job.name)))) return undefined;
      return (await certificates.beginDeleteCertificate(job.name, options)) as AnyPoller;
    case 'certificate.recover':
      if (!job.pollerState && (await exists(() => certificates.getDeletedCertificate(job.name)))) return undefined;
      return (await certificates.beginRecoverDeletedCertificate(job.name, options)) as AnyPoller;
  }
}

async function policyFor(job: JobMessage, deps: WorkerDeps): Promise<CertificatePolicy> {
  return job.policy ? (job.policy as unknown as CertificatePolicy) : deps.certificates.getCertificatePolicy(job.name);
}

async function exists(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (error) {
    if (isRestError(error) && error.statusCode === 404) return false;
    throw error;
  }
}

async function pollWithinBudget(job: JobMessage, poller: AnyPoller, owner: string, deps: WorkerDeps): Promise<void> {
  const budgetEnds = Date.now() + (deps.pollBudgetMs ?? 20_000);
  const interval = deps.pollIntervalMs ?? 2_000;
  while (!poller.isDone()) {
    if (Date.now() + interval > budgetEnds) {
      // Hand over: the same job with the poller's state, visible again after a delay; the lease
      // is released so that the next delivery can take the operation at once.
      // Longer waits for operations that keep going (an external issuer may take days).
      const delay = deps.requeueDelaySeconds ?? Math.min(300, 10 * 2 ** Math.min(job.attempt, 5));
      await deps.queue.enqueue({ ...job, pollerState: poller.toString(), attempt: job.attempt + 1 }, delay);
      await deps.operations.update(job.operationId, (current) =>
        current.progress.leaseOwner === owner ? { ...current, progress: { ...current.progress, leaseOwner: undefined, leaseUntil: undefined } } : undefined,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
    await poller.poll();
    await deps.operations.update(job.operationId, (current) =>
      current.progress.leaseOwner === owner ? { ...current, progress: { ...current.progress, ...lease(owner) } } : undefined,
    );
  }
  const state = poller.getOperationState();
  if (state.error) throw new PermanentFailure('CertificateOperationFailed', `Key Vault reported the operation failed: ${state.error.message}`);
  const result = poller.getResult() as { cer?: Uint8Array } | undefined;
  // A create that ended without a certificate was cancelled (or failed) in Key Vault; the SDK's
  // poller does not say which, so its pending operation is read once.
  const creates = job.kind === 'certificate.create' || job.kind === 'certificate.renew';
  if (state.isCancelled || (creates && !result?.cer?.length && (await pendingStatus(job.name, deps)) === 'cancelled')) {
    await finish(deps, job.operationId, { status: 'Canceled' });
    return;
  }
  await finish(deps, job.operationId, { status: 'Succeeded', result: resultOf(result) });
}

async function pendingStatus(name: string, deps: WorkerDeps): Promise<string | undefined> {
  const poller = await deps.certificates.getCertificateOperation(name);
  const operation = poller.getOperationState().certificateOperation;
  if (operation?.status === 'failed') {
    throw new PermanentFailure('CertificateOperationFailed', `Key Vault reported the operation failed: ${operation.error?.message ?? 'no reason given'}`);
  }
  return operation?.status;
}

function resultOf(result: unknown): Operation['result'] {
  const value = result as { id?: string; recoveryId?: string; properties?: { id?: string; version?: string; recoveryId?: string } } | undefined;
  const id = value?.recoveryId ?? value?.properties?.recoveryId ?? value?.id ?? value?.properties?.id;
  return id ? { id, ...(value?.properties?.version ? { version: value.properties.version } : {}) } : undefined;
}

async function finish(deps: WorkerDeps, id: string, outcome: Pick<Operation, 'status'> & Partial<Operation>): Promise<void> {
  let changed = false;
  const operation = await deps.operations.update(id, (current) => {
    if (isTerminal(current.status)) return undefined;
    changed = true;
    const next: StoredOperation = { ...current, ...outcome };
    if (outcome.status === 'Succeeded' || outcome.status === 'Canceled') delete next.error;
    return next;
  });
  if (changed) await publishOutcome(deps.events, operation);
}

/** CertificateRenewed for a finished renewal, OperationFailed for any failed operation. */
export async function publishOutcome(events: EventPublisher | undefined, operation: Operation): Promise<void> {
  if (!events) return;
  const name = operation.target.name;
  if (operation.status === 'Succeeded' && operation.kind === 'certificate.renew') {
    await events.publish({ type: 'CertificateRenewed', name, version: operation.result?.version, reason: `operation ${operation.id}` });
  } else if (operation.status === 'Failed') {
    await events.publish({ type: 'OperationFailed', name, reason: `${operation.kind} failed: ${operation.error?.code ?? 'unknown'} (operation ${operation.id})` });
  }
}

/** Is this a Key Vault answer (and not, say, a storage one)? */
const fromVault = (error: { request?: { url?: string } }, vaultUrl: string) => error.request?.url?.startsWith(vaultUrl) ?? false;

/** 400, 403, 404 and 409 from Key Vault (and a failed Key Vault operation) will not get better by
 * retrying; a 409 because Key Vault is still deleting, purging or recovering the name will. */
function asPermanent(error: unknown, name: string, vaultUrl: string): PermanentFailure | undefined {
  if (error instanceof PermanentFailure) return error;
  if (isRestError(error) && fromVault(error, vaultUrl) && [400, 403, 404, 409].includes(error.statusCode ?? 0) && !isSettling(error)) {
    const mapped = toApiError(error, { kind: 'Certificate', name });
    if (mapped instanceof ApiError) return new PermanentFailure(mapped.code, mapped.message);
  }
  return undefined;
}

function describeTransient(error: unknown, name: string, vaultUrl: string): { code: string; message: string } {
  if (isRestError(error) && fromVault(error, vaultUrl)) {
    const mapped = toApiError(error, { kind: 'Certificate', name });
    if (mapped instanceof ApiError) return { code: mapped.code, message: mapped.message };
    return { code: 'VaultError', message: `Key Vault answered ${error.statusCode ?? 'without a status'}; the job will be retried.` };
  }
  if (isRestError(error)) return { code: 'StorageError', message: `Storage answered ${error.statusCode ?? 'without a status'}; the job will be retried.` };
  return { code: 'TransientError', message: `${error instanceof Error ? error.name : 'Error'}; the job will be retried.` };
}
