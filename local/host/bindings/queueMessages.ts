// What a queue output binding's value becomes on the queue: an array is one
// message per element, an object its JSON text, a string itself (a string holding a JSON array
// is split too), a number its text, bytes as they are.
import type { TypedData } from '../contracts.js';

export type QueuePayload = string | Uint8Array;

export function queueMessagesFrom(data: TypedData): QueuePayload[] {
  if (data.bytes !== undefined) return [data.bytes];
  if (data.stream !== undefined) return [data.stream];
  if (data.int !== undefined) return [String(data.int)];
  if (data.double !== undefined) return [String(data.double)];
  if (data.string !== undefined) {
    const array = parseJsonArray(data.string);
    return array ? array.map(elementText) : [data.string];
  }
  if (data.json !== undefined) {
    const value: unknown = JSON.parse(data.json);
    return Array.isArray(value) ? value.map(elementText) : [elementText(value)];
  }
  throw new Error(`A queue output binding cannot send a value of this kind (${Object.keys(data).join(', ') || 'empty'})`);
}

function parseJsonArray(text: string): unknown[] | undefined {
  if (!text.trimStart().startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function elementText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
