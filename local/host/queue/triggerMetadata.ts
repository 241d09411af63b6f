// The queue trigger's `triggerMetadata` as the Storage Queues extension fills it:
// the app's library camel-cases the keys and JSON-parses the values.
import { randomUUID } from 'node:crypto';
import type { TypedData } from '../contracts.js';
import { formatDateTimeOffset } from '../dotnetTime.js';

export interface QueueMessageFacts {
  messageId?: string;
  popReceipt?: string;
  dequeueCount: number;
  insertedOn?: Date;
  expiresOn?: Date;
  nextVisibleOn?: Date;
}

export function queueTriggerMetadata(functionName: string, text: string, message: QueueMessageFacts, now: Date = new Date()): Record<string, TypedData> {
  const metadata: Record<string, TypedData> = {};
  if (message.messageId !== undefined) metadata['Id'] = { string: message.messageId };
  if (message.popReceipt !== undefined) metadata['PopReceipt'] = { string: message.popReceipt };
  metadata['QueueTrigger'] = { string: text };
  metadata['DequeueCount'] = { json: String(message.dequeueCount) };
  const times = {
    InsertionTime: message.insertedOn,
    ExpirationTime: message.expiresOn,
    NextVisibleTime: message.nextVisibleOn,
  };
  for (const [key, date] of Object.entries(times)) {
    if (date) metadata[key] = { json: JSON.stringify(formatDateTimeOffset(date)) };
  }
  metadata['sys'] = {
    json: JSON.stringify({ MethodName: functionName, UtcNow: formatDateTimeOffset(now), RandGuid: randomUUID() }),
  };
  return metadata;
}
