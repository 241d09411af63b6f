import { finishOperation } from '../operations/lifecycle.js';
import { problems } from '../platform/problems.js';
import type { OperationStore } from '../operations/store.js';
import type { EventPublisher } from '../platform/events.js';
import { operationIdOf } from './message.js';

/**
 * A job that exhausted its deliveries: its operation fails with the last error the worker
 * recorded (or a generic one). A message that names no operation is logged and dropped.
 */
export async function failPoisonedJob(message: unknown, deps: { operations: OperationStore; events: EventPublisher; log: (line: string) => void }): Promise<void> {
  const operationId = operationIdOf(message);
  const operation = operationId && (await deps.operations.get(operationId));
  if (!operationId || !operation) {
    deps.log(`Poison message for no known operation dropped`);
    return;
  }
  const { changed } = await finishOperation({ store: deps.operations, events: deps.events }, operationId, {
    status: 'Failed',
    error: {
      code: operation.error?.code ?? problems.jobFailed().code,
      message: `${operation.error?.message ?? problems.jobFailed().message} (gave up after ${operation.attempts} attempt(s))`,
    },
  });
  if (changed) deps.log(`Operation ${operationId} (${operation.kind} ${operation.target.name}) failed: the job reached the poison queue`);
}
