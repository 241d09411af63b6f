// Secret values must never reach a log line, an error body or a listing. Canary values go through
// every path that touches a value, then the host's whole log is scanned. (The global teardown
// scans the log of the whole run once more, after every test file has finished.)
import { readFile } from 'node:fs/promises';
import { describe, expect, inject, it } from 'vitest';
import { ApiClient, uniqueName } from '../../support/api.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);
const canary = `CANARY-${Math.random().toString(36).slice(2)}-VALUE`;

describe('canary values', () => {
  it('appear only in the responses that are meant to carry them', async () => {
    const name = uniqueName('canary');
    const logBefore = (await readFile(stack.hostLogFile, 'utf8')).length;
    const responses = [
      await api.put(`/secrets/${name}`, { value: canary }),
      await api.put(`/secrets/${name}?returnValue=true`, { value: `${canary}-2`, tags: { note: 'n' } }, { headers: { 'idempotency-key': name } }),
      await api.put(`/secrets/${name}`, { value: `${canary}-2`, tags: { note: 'n' } }, { headers: { 'idempotency-key': name } }),
      await api.put(`/secrets/${name}`, { value: canary, unknown: canary }),
      await api.put(`/secrets/${name}`, { value: canary.repeat(2_000) }),
      await api.put(`/secrets/${name}`, { value: { nested: canary } }),
      await api.call('PUT', `/secrets/${name}`, { rawBody: `{"value":"${canary}"`, headers: { 'content-type': 'application/json' } }),
      await api.patch(`/secrets/${name}`, { value: canary }),
      await api.put(`/secrets/${name}`, { value: canary }, { headers: { 'if-match': '"0000"' } }),
      await api.get(`/secrets`),
      await api.get(`/secrets/${name}/versions`),
      await api.delete(`/secrets/${name}`),
      await api.get(`/deleted-secrets/${name}`),
      await api.put(`/secrets/${name}`, { value: canary }),
      await api.post(`/deleted-secrets/${name}/recover`),
    ];
    const carriers = new Set([1]); // PUT with returnValue=true
    responses.forEach((response, index) => {
      const leaks = response.text.includes(canary);
      expect(leaks, `response #${index} (${response.status})`).toBe(carriers.has(index));
    });

    const read = await api.get(`/secrets/${name}`);
    expect(read.body.value).toBe(`${canary}-2`);
    expect(read.headers.get('cache-control')).toBe('no-store');

    // The scan is not vacuous: the host wrote to the log while these requests ran.
    const log = await readFile(stack.hostLogFile, 'utf8');
    expect(log.length).toBeGreaterThan(logBefore);
    expect(log.split('\n').filter((line) => line.includes('CANARY-'))).toEqual([]);
  });
});
