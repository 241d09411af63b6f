import type { JobMessage, JobRequest } from '../jobs/message.js';
import type { EventPublisher } from '../platform/events.js';
import { DEFAULT_VAULT } from '../platform/config.js';
import { problems } from '../platform/problems.js';
import { isSampled, telemetry, traceIdOf } from '../platform/telemetry.js';
import { isTerminal, operationError, type OperationOutcome, type StoredOperation } from './model.js';
import type { OperationStore } from './store.js';

/** Where a started operation's job goes. */
export interface JobSender {
  enqueue(message: JobMessage, delaySeconds?: number): Promise<void>;
}

export interface OperationsDeps {
  store: OperationStore;
  queue: JobSender;
  events: EventPublisher;
  log: (line: string) => void;
  now?: () => Date;
}

/** How long an operation may stay NotStarted (recorded, its job never picked up) before the sweep fails it. */
export const STUCK_AFTER_MS = 30 * 60_000;

/**
 * Starts an operation on a certificate: records it (one unfinished operation per name) and
 * enqueues its job. The same kind requested again gets the unfinished operation back; another
 * kind is refused while one runs. If the job cannot be queued, the operation ends Failed at once,
 * so it never holds the name, and is returned with that status.
 */
export async function startOperation(deps: OperationsDeps, request: JobRequest): Promise<{ operation: StoredOperation; created: boolean }> {
  // While tracing is on, the job carries the trace of the request (or timer run) that started it.
  const trace = telemetry().currentContext();
  // The operation shows the trace id only when the trace is recorded (sampled), so that it can be found.
  const traceId = trace && isSampled(trace.traceparent) ? traceIdOf(trace.traceparent) : undefined;
  const { operation, created } = await deps.store.create(request.kind, request.name, request.vault, traceId);
  if (!created) {
    if (operation.kind !== request.kind) throw problems.operationInProgress(request.name, operation.kind, operation.id);
    return { operation, created };
  }
  try {
    await deps.queue.enqueue({ v: 1, operationId: operation.id, ...request, attempt: 0, ...trace });
  } catch {
    deps.log(`Operation ${operation.id} (${request.kind} ${request.name}) could not be queued`);
    const failed = await finishOperation(deps, operation.id, { status: 'Failed', error: operationError(problems.queueUnavailable()) });
    return { operation: failed.operation, created };
  }
  return { operation, created };
}

/**
 * Ends an operation with its outcome, once: an operation that has already ended is left as it
 * is (`changed: false`), and so is one for which `when` (checked on the latest state) is false —
 * e.g. a worker that no longer holds the lease. The outcome's event is published after the
 * record is written.
 */
export async function finishOperation(
  deps: Pick<OperationsDeps, 'store' | 'events'>,
  id: string,
  outcome: OperationOutcome,
  when: (current: StoredOperation) => boolean = () => true,
): Promise<{ operation: StoredOperation; changed: boolean }> {
  let changed = false;
  const operation = await deps.store.update(id, (current) => {
    if (isTerminal(current.status) || !when(current)) return undefined;
    changed = true;
    const next: StoredOperation = { ...current, ...outcome, progress: { ...current.progress, leaseOwner: undefined, leaseUntil: undefined } };
    if (outcome.status !== 'Failed') delete next.error;
    return next;
  });
  if (changed) {
    recordOutcome(operation);
    await publishOutcome(deps.events, operation);
  }
  return { operation, changed };
}

/** Fails operations whose job was never picked up (e.g. the process stopped between record and enqueue). */
export async function sweepStuckOperations(deps: OperationsDeps, stuckAfterMs = STUCK_AFTER_MS): Promise<number> {
  const now = deps.now?.() ?? new Date();
  let swept = 0;
  for (const stuck of await deps.store.listNotStartedBefore(new Date(now.getTime() - stuckAfterMs))) {
    const { changed } = await finishOperation(
      deps,
      stuck.id,
      {
        status: 'Failed',
        error: operationError(problems.jobNotStarted(Math.round(stuckAfterMs / 60_000))),
      },
      (current) => current.status === 'NotStarted',
    );
    if (changed) swept++;
  }
  if (swept > 0) deps.log(`Failed ${swept} operation(s) whose job never started`);
  return swept;
}

/** The operation, or a not-found problem. */
export async function getOperation(store: OperationStore, id: string): Promise<StoredOperation> {
  const operation = await store.get(id);
  if (!operation) throw problems.operationNotFound(id);
  return operation;
}

/** CertificateRenewed for a finished renewal, OperationFailed for any failed operation. */
async function publishOutcome(events: EventPublisher, operation: StoredOperation): Promise<void> {
  const name = operation.target.name;
  const vault = operation.target.vault === DEFAULT_VAULT ? {} : { vault: operation.target.vault };
  if (operation.status === 'Succeeded' && operation.kind === 'certificate.renew') {
    await events.publish({ type: 'CertificateRenewed', name, ...vault, version: operation.result?.version, reason: `operation ${operation.id}` });
  } else if (operation.status === 'Failed') {
    await events.publish({ type: 'OperationFailed', name, ...vault, reason: `${operation.kind} failed: ${operation.error?.code ?? 'unknown'} (operation ${operation.id})` });
  }
}

/** Metrics of an operation that just ended: its duration, and for a renewal whether it renewed. */
function recordOutcome(operation: StoredOperation): void {
  const { metrics } = telemetry();
  metrics.operationFinished(operation.kind, operation.status, Date.now() - Date.parse(operation.createdAt), operation.target.vault);
  if (operation.kind === 'certificate.renew') {
    metrics.certificateRenewal(
      operation.target.vault,
      operation.status === 'Succeeded' ? 'renewed' : 'failed',
      operation.status === 'Succeeded' ? undefined : (operation.error?.code ?? operation.status),
    );
  }
}
