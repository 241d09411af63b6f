import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/**
 * Client-side back-pressure for Key Vault's throttling: once any request is answered 429, every
 * request of this process (retries included) waits out the Retry-After before going out, instead
 * of each concurrent caller finding the limit on its own. Keeps a busy run near the vault's limit
 * rather than above it.
 */
export function throttleGatePolicy(now: () => number = Date.now): PipelinePolicy {
  let pausedUntil = 0;
  return {
    name: 'throttleGate',
    async sendRequest(request, next) {
      const wait = pausedUntil - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const response = await next(request);
      if (response.status === 429) {
        const seconds = Number(response.headers.get('retry-after'));
        const pause = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
        pausedUntil = Math.max(pausedUntil, now() + pause);
      }
      return response;
    },
  };
}
