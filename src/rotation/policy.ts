import type { SecretProperties } from '@azure/keyvault-secrets';
import { DateTime, Duration } from 'luxon';
import { DEFAULT_GENERATOR, GeneratorError, parseGenerator, type Generator } from './generators.js';

/** The tags that make a secret rotate. */
export const TAGS = {
  interval: 'rotation-interval',
  beforeExpiry: 'rotate-before-expiry',
  generator: 'rotation-generator',
  validity: 'validity',
  rotatedAt: 'rotated-at',
  rotationId: 'rotation-id',
} as const;

export interface RotationPolicy {
  generator: Generator;
  /** Rotate this long after the last rotation (or creation). */
  interval?: Duration;
  /** Rotate this long before the current version expires. */
  beforeExpiry?: Duration;
  /** The new version expires this long after rotation. */
  validity?: Duration;
}

export type PolicyReading = { kind: 'none' } | { kind: 'invalid'; tag: string; reason: string } | { kind: 'policy'; policy: RotationPolicy };

function duration(tags: Record<string, string>, tag: string): Duration | undefined {
  const text = tags[tag];
  if (text === undefined) return undefined;
  const parsed = Duration.fromISO(text);
  if (!parsed.isValid || parsed.toMillis() <= 0) throw new PolicyError(tag, 'is not a positive ISO 8601 duration such as P30D or PT12H');
  return parsed;
}

class PolicyError extends Error {
  constructor(
    readonly tag: string,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Reads a secret's rotation policy from its tags; never looks at the value. A secret without a
 * schedule tag has no policy, unless `schedule: 'optional'` (rotate-now needs only a generator).
 */
export function readPolicy(tags: Record<string, string> | undefined, schedule: 'required' | 'optional' = 'required'): PolicyReading {
  const t = tags ?? {};
  if (schedule === 'required' && t[TAGS.interval] === undefined && t[TAGS.beforeExpiry] === undefined) return { kind: 'none' };
  try {
    const interval = duration(t, TAGS.interval);
    const beforeExpiry = duration(t, TAGS.beforeExpiry);
    if (interval && beforeExpiry) throw new PolicyError(TAGS.interval, `cannot be combined with ${TAGS.beforeExpiry}; use one of them`);
    let generator: Generator;
    try {
      generator = parseGenerator(t[TAGS.generator] ?? DEFAULT_GENERATOR);
    } catch (error) {
      if (error instanceof GeneratorError) throw new PolicyError(TAGS.generator, error.message);
      throw error;
    }
    return { kind: 'policy', policy: { generator, interval, beforeExpiry, validity: duration(t, TAGS.validity) } };
  } catch (error) {
    if (error instanceof PolicyError) return { kind: 'invalid', tag: error.tag, reason: error.message };
    throw error;
  }
}

/** When the secret's current version is due, from its properties alone. */
export function dueAt(policy: RotationPolicy, properties: Pick<SecretProperties, 'createdOn' | 'expiresOn' | 'tags'>): Date | undefined {
  if (policy.interval) {
    const rotatedAt = properties.tags?.[TAGS.rotatedAt];
    const since = rotatedAt && !Number.isNaN(Date.parse(rotatedAt)) ? new Date(rotatedAt) : properties.createdOn;
    if (!since) return undefined;
    return DateTime.fromJSDate(since, { zone: 'utc' }).plus(policy.interval).toJSDate();
  }
  if (policy.beforeExpiry && properties.expiresOn) {
    return DateTime.fromJSDate(properties.expiresOn, { zone: 'utc' }).minus(policy.beforeExpiry).toJSDate();
  }
  return undefined;
}

export function expiryFor(policy: RotationPolicy, now: Date): Date | undefined {
  return policy.validity ? DateTime.fromJSDate(now, { zone: 'utc' }).plus(policy.validity).toJSDate() : undefined;
}
