import { isTerminal } from '../operations/model.js';
import type { OperationStore } from '../operations/store.js';
import type { EventPublisher } from '../platform/events.js';
import { jobMessageSchema } from './message.js';
import { publishOutcome } from './worker.js';

/**
 * A job that exhausted its deliveries: its operation fails with the last error the worker
 * recorded (or a generic one). Unreadable messages are logged and dropped.
 */
export async function failPoisonedJob(message: unknown, operations: OperationStore, log: (line: string) => void, events?: EventPublisher): Promise<void> {
  const parsed = jobMessageSchema.safeParse(message);
  if (!parsed.success) {
    log('Poison message is not a certificate job; dropped');
    return;
  }
  const job = parsed.data;
  const operation = await operations.get(job.operationId);
  if (!operation) {
    log(`Poison job for unknown operation ${job.operationId}; dropped`);
    return;
  }
  let changed = false;
  const updated = await operations.update(job.operationId, (current) => {
    if (isTerminal(current.status)) return undefined;
    changed = true;
    return {
          ...current,
          status: 'Failed',
          error: {
            code: current.error?.code ?? 'JobFailed',
            message: `${current.error?.message ?? 'The job failed on every delivery.'} (gave up after ${current.attempts} attempt(s))`,
          },
        };
  });
  if (changed) await publishOutcome(events, updated);
  log(`Operation ${job.operationId} (${job.kind} ${job.name}) failed: the job reached the poison queue`);
}
