import type { ApiClient } from './api.js';

/** Polls an operation until it ends (honouring Retry-After, capped for tests). */
export async function waitForOperation(api: ApiClient, location: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await api.get(location);
    if (response.status !== 200) throw new Error(`operation ${location}: HTTP ${response.status} ${response.text}`);
    if (['Succeeded', 'Failed', 'Canceled'].includes(response.body.status)) return response.body;
    if (Date.now() > deadline) throw new Error(`operation ${location} still ${response.body.status} after ${timeoutMs} ms`);
    const retryAfter = Number(response.headers.get('retry-after') ?? '1');
    await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter, 1) * 500));
  }
}
