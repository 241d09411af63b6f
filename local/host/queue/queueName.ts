// Queue names as the Storage Queues extension treats them: `%SETTING%` resolved, lower-cased,
// validated against the service's naming rules; `<name>-poison` for messages that keep failing.
import type { AppSettings } from '../contracts.js';

const VALID_QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
const POISON_SUFFIX = '-poison';
const QUEUE_NAME_MAX = 63;

export function resolveQueueName(raw: unknown, settings: AppSettings, functionName: string): string {
  if (typeof raw !== 'string' || !raw.trim()) {
    throw new Error(`Function '${functionName}': a queue binding needs a 'queueName'`);
  }
  const name = settings.resolve(raw).trim().toLowerCase();
  if (!VALID_QUEUE_NAME.test(name)) {
    throw new Error(
      `Function '${functionName}': invalid queue name '${name}' (3-63 characters: lower-case letters, digits and single hyphens, starting and ending with a letter or digit)`,
    );
  }
  return name;
}

/** The poison queue's name, or undefined when the queue has none (already a poison queue, or too long). */
export function poisonQueueName(queueName: string): string | undefined {
  if (queueName.endsWith(POISON_SUFFIX)) return undefined;
  const name = `${queueName}${POISON_SUFFIX}`;
  return name.length > QUEUE_NAME_MAX ? undefined : name;
}
