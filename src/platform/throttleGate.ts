import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** Told about every 429 a vault answers (the SDK's retries hide them from the caller). */
export interface ThrottleSignal {
  /** `listener` hears the Retry-After (ms) of each 429 until the returned function is called. */
  onThrottled(listener: (retryAfterMs: number) => void): () => void;
}

export interface ThrottleGate extends ThrottleSignal {
  policy: PipelinePolicy;
}

/**
 * Client-side back-pressure for Key Vault's throttling: once any request is answered 429, every
 * request of this process (retries included) waits out the Retry-After before going out, instead
 * of each concurrent caller finding the limit on its own. Keeps a busy run near the vault's limit
 * rather than above it. Whoever adapts its pace to the vault (a rotation run) listens to its 429s.
 */
export function createThrottleGate(now: () => number = Date.now): ThrottleGate {
  let pausedUntil = 0;
  const listeners = new Set<(retryAfterMs: number) => void>();
  return {
    onThrottled(listener) {
      const own = (retryAfterMs: number) => listener(retryAfterMs);
      listeners.add(own);
      return () => void listeners.delete(own);
    },
    policy: {
      name: 'throttleGate',
      async sendRequest(request, next) {
        const wait = pausedUntil - now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const response = await next(request);
        if (response.status === 429) {
          const seconds = Number(response.headers.get('retry-after'));
          const pause = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
          pausedUntil = Math.max(pausedUntil, now() + pause);
          for (const listener of listeners) listener(pause);
        }
        return response;
      },
    },
  };
}
