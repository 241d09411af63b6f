import { randomUUID } from 'node:crypto';
import { isRestError } from '@azure/core-rest-pipeline';
import type { CertificateClient, CertificatePolicy } from '@azure/keyvault-certificates';
import { finishOperation, type JobSender } from '../operations/lifecycle.js';
import { isTerminal, operationError, type Operation, type OperationOutcome, type StoredOperation } from '../operations/model.js';
import type { OperationStore } from '../operations/store.js';
import type { EventPublisher } from '../platform/events.js';
import { DEFAULT_VAULT } from '../platform/config.js';
import { problems, type Problem } from '../platform/problems.js';
import { telemetry } from '../platform/telemetry.js';
import { classifyVaultFailure, vaultProblem } from '../platform/vaultFailures.js';
import { jobMessageSchema, operationIdOf, type JobMessage } from './message.js';

export interface WorkerDeps {
  /** The alias of the vault `certificates` addresses; a job for another vault fails. */
  vault: string;
  certificates: CertificateClient;
  operations: OperationStore;
  queue: JobSender;
  events: EventPublisher;
  log: (message: string) => void;
  /** How long one invocation may poll Key Vault before handing over to a re-enqueued job. */
  pollBudgetMs?: number;
  /** Time between polls of a Key Vault operation. */
  pollIntervalMs?: number;
  /** Delay before the re-enqueued job runs. */
  requeueDelaySeconds?: number;
  /** How long a worker's claim on an operation lasts without renewal (renewed on every poll). */
  leaseMs?: number;
}

const DEFAULT_LEASE_MS = 30_000;

/** Anything that is not worth retrying: the operation fails at once with this problem. */
class PermanentFailure extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

/** The worker lost its lease on the operation: another invocation carries on, this one stops. */
class LeaseLost extends Error {}

/** The slice of a Key Vault poller the worker uses; every certificate poller has it. */
interface Poller<TResult> {
  poll(options?: { abortSignal?: AbortSignal }): Promise<void>;
  isDone(): boolean;
  getResult(): TResult | undefined;
  getOperationState(): { isCancelled?: boolean; error?: Error; result?: TResult };
  toString(): string;
}

/** One invocation's hold on an operation. */
interface Claim {
  owner: string;
  leaseMs: number;
}

const leaseFields = (claim: Claim) => ({ leaseOwner: claim.owner, leaseUntil: new Date(Date.now() + claim.leaseMs).toISOString() });
const holds = (claim: Claim) => (current: StoredOperation) => current.progress.leaseOwner === claim.owner;

/** The state a poller resumes from after it has started: it only polls, never re-sends the request. */
const startedState = (certificateName: string) => JSON.stringify({ state: { certificateName, isStarted: true, isCompleted: false } });

/**
 * A queue message for the worker. A message that is not a valid job is never retried; if it
 * names an operation, that operation fails saying why (rather than waiting for the sweep).
 */
export async function handleJobMessage(message: unknown, deps: WorkerDeps): Promise<void> {
  const parsed = jobMessageSchema.safeParse(message);
  if (parsed.success) return runCertificateJob(parsed.data, deps);
  const field = parsed.error.issues[0]?.path.join('.') || 'message';
  const operationId = operationIdOf(message);
  if (operationId && (await deps.operations.get(operationId))) {
    await finishOperation({ store: deps.operations, events: deps.events }, operationId, {
      status: 'Failed',
      error: operationError(problems.invalidJob(field)),
    });
  }
  deps.log(`Dropped a message that is not a valid certificate job (${field} is invalid)`);
}

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
  // A vault the app does not (or no longer) manage: nothing to carry out the job on.
  if ((job.vault ?? DEFAULT_VAULT) !== deps.vault) {
    await finishOperation({ store: deps.operations, events: deps.events }, job.operationId, { status: 'Failed', error: operationError(problems.invalidJob('vault')) });
    return;
  }

  // Claim the operation: a duplicate delivery of this job finds the lease held and defers itself,
  // so two workers never send the same request. A crashed worker's lease simply runs out.
  const claim: Claim = { owner: randomUUID(), leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS };
  const started = await deps.operations.update(job.operationId, (current) => {
    if (isTerminal(current.status)) return undefined;
    const held = current.progress.leaseOwner && Date.parse(current.progress.leaseUntil ?? '') > Date.now();
    if (held) return undefined;
    return { ...current, status: 'Running', attempts: current.attempts + 1, progress: { ...current.progress, ...leaseFields(claim) } };
  });
  if (isTerminal(started.status)) return;
  if (started.progress.leaseOwner !== claim.owner) {
    deps.log(`Operation ${job.operationId} is being worked on by another invocation; checking again later`);
    await deps.queue.enqueue(job, Math.ceil(claim.leaseMs / 1000));
    telemetry().metrics.jobHandover('lease-held');
    return;
  }

  try {
    try {
      const poller = await startOrResume(job, started, claim, deps);
      await pollWithinBudget(job, poller, claim, deps);
    } catch (caught) {
      if (caught instanceof LeaseLost) throw caught;
      await settleFailure(job, claim, caught, deps);
    }
  } catch (error) {
    if (!(error instanceof LeaseLost)) throw error;
    deps.log(`Operation ${job.operationId}: lease lost to another invocation; this one stops`);
  }
}

/** A failed attempt: permanent failures end the operation, throttling waits, anything else is retried by the queue. */
async function settleFailure(job: JobMessage, claim: Claim, caught: unknown, deps: WorkerDeps): Promise<void> {
  // A create that Key Vault failed surfaces from the SDK's poller as a plain Error: ask Key
  // Vault's pending operation, which turns it into a permanent failure with its reason.
  let error = caught;
  if (creates(job) && !isRestError(error) && !(error instanceof PermanentFailure)) {
    error = await pendingStatus(job.name, deps).then(
      () => caught,
      (failure: unknown) => (failure instanceof PermanentFailure ? failure : caught),
    );
  }
  const permanent = asPermanent(error, job.name, deps);
  if (permanent) {
    await finish(deps, job.operationId, claim, { status: 'Failed', error: operationError(permanent.problem) });
    return;
  }
  const lastError = describeTransient(error, job.name, deps);
  const released = await deps.operations.update(job.operationId, (current) =>
    isTerminal(current.status) || !holds(claim)(current)
      ? undefined
      : { ...current, error: lastError, progress: { ...current.progress, leaseOwner: undefined, leaseUntil: undefined } },
  );
  const failure = classifyVaultFailure(error);
  if (failure.class === 'throttled' && fromVault(error, deps.certificates.vaultUrl) && released.progress.leaseOwner === undefined) {
    // Throttling is not a failure of the job: it waits out Retry-After without using up a delivery.
    await deps.queue.enqueue({ ...job, attempt: job.attempt + 1 }, Math.max(1, Math.ceil((failure.retryAfterMs ?? 0) / 1000)));
    telemetry().metrics.jobHandover('throttled');
    return;
  }
  // Transient: let the queue redeliver (maxDequeueCount, then the poison queue).
  throw error;
}

const creates = (job: JobMessage) => job.kind === 'certificate.create' || job.kind === 'certificate.renew';

type AnyPoller = Poller<unknown>;

async function startOrResume(job: JobMessage, operation: StoredOperation, claim: Claim, deps: WorkerDeps): Promise<AnyPoller> {
  const mayHaveSent = job.pollerState !== undefined || operation.progress.submittedAt !== undefined;
  if (mayHaveSent) {
    const resumed = await resume(job, operation, deps);
    if (resumed) return resumed;
  }
  // Recorded before the request goes out: after a crash from here on, the job resumes. Only while
  // this invocation holds the operation, so that two never send the request.
  const marked = await deps.operations.update(job.operationId, (current) =>
    holds(claim)(current) ? { ...current, progress: { ...current.progress, ...leaseFields(claim), submittedAt: new Date().toISOString() } } : undefined,
  );
  if (!holds(claim)(marked)) throw new LeaseLost();
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

async function pollWithinBudget(job: JobMessage, poller: AnyPoller, claim: Claim, deps: WorkerDeps): Promise<void> {
  const budgetEnds = Date.now() + (deps.pollBudgetMs ?? 20_000);
  const interval = deps.pollIntervalMs ?? 2_000;
  while (!poller.isDone()) {
    if (Date.now() + interval > budgetEnds) {
      // Hand over: the same job with the poller's state, visible again after a delay; the lease
      // is released so that the next delivery can take the operation at once.
      // Longer waits for operations that keep going (an external issuer may take days).
      const delay = deps.requeueDelaySeconds ?? Math.min(300, 10 * 2 ** Math.min(job.attempt, 5));
      await renewLease(job, claim, deps);
      // The job keeps its trace context: the next invocation continues the same trace.
      await deps.queue.enqueue({ ...job, pollerState: poller.toString(), attempt: job.attempt + 1 }, delay);
      telemetry().metrics.jobHandover('poll-budget');
      deps.log(`Operation ${job.operationId}: Key Vault is still working on it; handed over to a re-queued job (attempt ${job.attempt + 1}) in ${delay} s`);
      await deps.operations.update(job.operationId, (current) =>
        holds(claim)(current) ? { ...current, progress: { ...current.progress, leaseOwner: undefined, leaseUntil: undefined } } : undefined,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
    // A poll that hangs must not outlive the lease: someone else may take the operation after it.
    await poller.poll({ abortSignal: AbortSignal.timeout(claim.leaseMs / 2) });
    await renewLease(job, claim, deps);
  }
  const state = poller.getOperationState();
  if (state.error) throw new PermanentFailure(problems.certificateOperationFailed(state.error.message));
  const result = poller.getResult() as { cer?: Uint8Array } | undefined;
  // A create that ended without a certificate was cancelled (or failed) in Key Vault; the SDK's
  // poller does not say which, so its pending operation is read once.
  if (state.isCancelled || (creates(job) && !result?.cer?.length && (await pendingStatus(job.name, deps)) === 'cancelled')) {
    await finish(deps, job.operationId, claim, { status: 'Canceled' });
    return;
  }
  await finish(deps, job.operationId, claim, { status: 'Succeeded', result: resultOf(result) });
}

/** Extends this invocation's lease; throws LeaseLost when another invocation has taken the operation. */
async function renewLease(job: JobMessage, claim: Claim, deps: WorkerDeps): Promise<void> {
  const current = await deps.operations.update(job.operationId, (latest) =>
    holds(claim)(latest) && !isTerminal(latest.status) ? { ...latest, progress: { ...latest.progress, ...leaseFields(claim) } } : undefined,
  );
  if (!holds(claim)(current)) throw new LeaseLost();
}

async function pendingStatus(name: string, deps: WorkerDeps): Promise<string | undefined> {
  // For an operation Key Vault failed, the SDK's poller throws the operation's error (a plain
  // Error with Key Vault's message) instead of returning the operation.
  const poller = await deps.certificates.getCertificateOperation(name).catch((error: unknown) => {
    throw error instanceof Error && Object.getPrototypeOf(error) === Error.prototype ? new PermanentFailure(problems.certificateOperationFailed(error.message)) : error;
  });
  const operation = poller.getOperationState().certificateOperation;
  if (operation?.status === 'failed') {
    throw new PermanentFailure(problems.certificateOperationFailed(operation.error?.message ?? 'no reason given'));
  }
  return operation?.status;
}

function resultOf(result: unknown): Operation['result'] {
  const value = result as { id?: string; recoveryId?: string; properties?: { id?: string; version?: string; recoveryId?: string } } | undefined;
  const id = value?.recoveryId ?? value?.properties?.recoveryId ?? value?.id ?? value?.properties?.id;
  return id ? { id, ...(value?.properties?.version ? { version: value.properties.version } : {}) } : undefined;
}

/** Ends the operation, only while this invocation still holds it. */
async function finish(deps: WorkerDeps, id: string, claim: Claim, outcome: OperationOutcome): Promise<void> {
  const { operation, changed } = await finishOperation({ store: deps.operations, events: deps.events }, id, outcome, holds(claim));
  if (!changed && !isTerminal(operation.status)) throw new LeaseLost();
}

/** Is this a Key Vault answer (and not, say, a storage one)? */
const fromVault = (error: unknown, vaultUrl: string) => isRestError(error) && (error.request?.url?.startsWith(vaultUrl) ?? false);

/** A Key Vault answer that retrying will not change (and a failed Key Vault operation) ends the job. */
function asPermanent(error: unknown, name: string, deps: WorkerDeps): PermanentFailure | undefined {
  if (error instanceof PermanentFailure) return error;
  if (!fromVault(error, deps.certificates.vaultUrl) || classifyVaultFailure(error).class !== 'permanent') return undefined;
  const problem = vaultProblem(error, { kind: 'Certificate', name, vault: deps.vault });
  return problem ? new PermanentFailure(problem) : undefined;
}

function describeTransient(error: unknown, name: string, deps: WorkerDeps): { code: string; message: string } {
  if (isRestError(error) && fromVault(error, deps.certificates.vaultUrl)) {
    const problem = vaultProblem(error, { kind: 'Certificate', name, vault: deps.vault });
    if (problem) return operationError(problem);
    return operationError(problems.vaultErrorRetried(error.statusCode));
  }
  if (isRestError(error)) return operationError(problems.storageErrorRetried(error.statusCode));
  return operationError(problems.errorRetried(error instanceof Error ? error.name : 'Error'));
}
