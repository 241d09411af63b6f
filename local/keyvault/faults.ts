// Fault injection and throttling, configurable at start and at run time (/_emulator/faults).
// Applied to authenticated Key Vault API requests only (never to the 401 challenge or admin).
import { z } from 'zod';
import { errors, type KeyVaultError } from './errors.js';
import { THROTTLE_DEFAULT_LIMIT, THROTTLE_DEFAULT_WINDOW_MS } from './limits.js';

export interface FaultConfig {
  /** Probability 0..1 of answering 429 Throttled (with Retry-After). */
  throttleRate: number;
  /** Probability 0..1 of answering 503 ServiceUnavailable (with Retry-After). */
  unavailableRate: number;
  /** Seconds sent in Retry-After for injected 429/503. */
  retryAfterSeconds: number;
  /** Added to every request, in milliseconds. */
  latencyMs: number;
  /** Deterministic: the next `count` selected requests fail with `status` (count decrements). */
  burst?: { status: 429 | 503; count: number };
  /** The next `count` selected requests get no answer: their connection is closed (after the latency). */
  drop?: { count: number };
  /** Only these operation names are affected (all when empty/absent). */
  operations?: string[];
  /** Enforce the real service's per-vault transaction limit. */
  limit: { enabled: boolean; requests: number; windowMs: number };
}

const rate = z.number().min(0).max(1);
/** Validates a partial FaultConfig (admin PUT body, CLI --faults). */
export const faultPatchSchema = z.object({
  throttleRate: rate.optional(),
  unavailableRate: rate.optional(),
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  operations: z.array(z.string()).optional(),
  burst: z.object({ status: z.union([z.literal(429), z.literal(503)]), count: z.number().int().min(0) }).optional(),
  drop: z.object({ count: z.number().int().min(0) }).optional(),
  limit: z
    .object({
      enabled: z.boolean().optional(),
      requests: z.number().int().min(1).optional(),
      windowMs: z.number().int().min(1).optional(),
    })
    .optional(),
});

export const DEFAULT_FAULTS: FaultConfig = {
  throttleRate: 0,
  unavailableRate: 0,
  retryAfterSeconds: 1,
  latencyMs: 0,
  limit: { enabled: false, requests: THROTTLE_DEFAULT_LIMIT, windowMs: THROTTLE_DEFAULT_WINDOW_MS },
};

export function mergeFaults(base: FaultConfig, patch: Partial<FaultConfig> | undefined): FaultConfig {
  return {
    ...base,
    ...patch,
    limit: { ...base.limit, ...(patch?.limit ?? {}) },
  };
}

/** What `apply` returns for a request that must get no answer. */
export const DROP = 'drop';

export class FaultInjector {
  config: FaultConfig;
  /** vault → request timestamps (ms) inside the current window, oldest first. */
  private readonly windows = new Map<string, number[]>();
  private readonly random: () => number;

  constructor(config: FaultConfig = DEFAULT_FAULTS, random: () => number = Math.random) {
    this.config = config;
    this.random = random;
  }

  update(patch: Partial<FaultConfig>): FaultConfig {
    this.config = mergeFaults(this.config, patch);
    this.windows.clear();
    return this.config;
  }

  /** Waits for the configured latency, then returns the error to answer with (or DROP), if any. */
  async apply(vault: string, operation: string, now = Date.now()): Promise<KeyVaultError | typeof DROP | undefined> {
    const c = this.config;
    const selected = !c.operations || c.operations.length === 0 || c.operations.includes(operation);
    if (!selected) return undefined;
    if (c.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, c.latencyMs));
    if (c.drop && c.drop.count > 0) {
      c.drop = { count: c.drop.count - 1 };
      return DROP;
    }
    if (c.limit.enabled) {
      const stamps = this.windows.get(vault) ?? [];
      while (stamps.length > 0 && stamps[0]! <= now - c.limit.windowMs) stamps.shift();
      if (stamps.length >= c.limit.requests) {
        const waitMs = stamps[0]! + c.limit.windowMs - now;
        return errors.throttled(Math.max(1, Math.ceil(waitMs / 1000)));
      }
      stamps.push(now);
      this.windows.set(vault, stamps);
    }
    if (c.burst && c.burst.count > 0) {
      c.burst = { ...c.burst, count: c.burst.count - 1 };
      return c.burst.status === 429 ? errors.throttled(c.retryAfterSeconds) : errors.serviceUnavailable(c.retryAfterSeconds);
    }
    if (c.throttleRate > 0 && this.random() < c.throttleRate) return errors.throttled(c.retryAfterSeconds);
    if (c.unavailableRate > 0 && this.random() < c.unavailableRate) return errors.serviceUnavailable(c.retryAfterSeconds);
    return undefined;
  }
}
