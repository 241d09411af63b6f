// Request validation against limits.ts: URL names/versions, query paging, and body schemas.
// Every failure is a 400 BadParameter from the error factory.
import { z } from 'zod';
import type { RequestContext } from './context.js';
import { errors } from './errors.js';
import { CONTENT_TYPE_MAX_LENGTH, OBJECT_NAME_PATTERN, TAG_NAME_MAX_LENGTH, TAG_VALUE_MAX_LENGTH, TAGS_MAX_COUNT, VERSION_PATTERN } from './limits.js';

export function validateName(name: string): string {
  if (!OBJECT_NAME_PATTERN.test(name)) throw errors.invalidName(name);
  return name;
}

/** Empty string = "latest". */
export function validateVersion(version: string, method: string): string {
  if (version !== '' && !VERSION_PATTERN.test(version)) throw errors.invalidVersion(method, version);
  return version.toLowerCase();
}

const unixSeconds = z.number().int().min(0).max(253402300799);

/** `attributes` of set/update bodies; null is treated as absent. */
export const attributesSchema = z
  .object({
    enabled: z.boolean().nullish(),
    nbf: unixSeconds.nullish(),
    exp: unixSeconds.nullish(),
  })
  .nullish();

export const tagsSchema = z
  .record(z.string().max(TAG_NAME_MAX_LENGTH), z.string().max(TAG_VALUE_MAX_LENGTH))
  .refine((tags) => Object.keys(tags).length <= TAGS_MAX_COUNT, { message: `at most ${TAGS_MAX_COUNT} tags` })
  .nullish();

export const contentTypeSchema = z.string().max(CONTENT_TYPE_MAX_LENGTH).nullish();

/** Parses the JSON body with `schema`; the first failing property names the 400 message. Tags
 * are not named: the service answers too many or too long tags with "Property  has invalid
 * value" (an empty name). */
export function parseBody<S extends z.ZodType>(ctx: RequestContext, schema: S): z.infer<S> {
  const body = ctx.body();
  const result = schema.safeParse(body);
  if (!result.success) {
    const path = result.error.issues[0]?.path.map(String) ?? [];
    const property = path.length === 0 ? 'body' : path[0] === 'tags' ? '' : path.join('.');
    throw errors.invalidProperty(property);
  }
  return result.data;
}

/** Removes nulls/undefined so stored records stay compact. */
export function definedOnly<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== null && v !== undefined) out[key] = v;
  return out as { [K in keyof T]?: Exclude<T[K], null | undefined> };
}
