import type { HttpRequest } from '@azure/functions';
import * as z from 'zod';
import { problems, type Problem } from './problems.js';

/** Largest JSON body any route accepts; routes may set a lower limit. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads and validates a JSON body. The error names the offending field (`target`) and never
 * quotes the value that was sent, which may be a secret.
 */
export async function readJsonBody<T extends z.ZodType>(request: HttpRequest, schema: T, options: { required: boolean; maxBytes?: number }): Promise<z.infer<T> | undefined> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw payloadTooLarge(maxBytes);
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > maxBytes) throw payloadTooLarge(maxBytes);
  if (bytes.length === 0) {
    if (options.required) throw problems.missingBody();
    return undefined;
  }
  const contentType = request.headers.get('content-type') ?? '';
  if (contentType && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
    throw problems.unsupportedMediaType(contentType.split(';')[0] ?? '');
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw problems.invalidJson();
  }
  return validate(schema, json, 'body');
}

/** Validates route parameters or query values (already strings). */
export function validateInput<T extends z.ZodType>(schema: T, input: unknown, where: 'path' | 'query' | 'header'): z.infer<T> {
  return validate(schema, input, where);
}

function validate<T extends z.ZodType>(schema: T, input: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = describePath(issue, where);
  throw problems.invalidInput(field, messageFor(issue));
}

function describePath(issue: z.core.$ZodIssue, where: string): string {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  const dotted = path.map(String).join('.');
  return dotted ? (where === 'body' ? dotted : `${where}.${dotted}`) : where;
}

/** zod's own messages, minus anything that would echo the received value. */
function messageFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return 'is not a known field';
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    default:
      return issue.message;
  }
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function payloadTooLarge(maxBytes: number): Problem {
  return problems.payloadTooLarge(maxBytes);
}

/** The first value of each query parameter, except the function key. */
export function queryObject(request: HttpRequest): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of request.query.entries()) {
    if (key !== 'code' && !(key in query)) query[key] = value;
  }
  return query;
}
