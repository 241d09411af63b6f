import { createHttpHeaders, createPipelineRequest, type PipelineResponse, type SendRequest } from '@azure/core-rest-pipeline';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createThrottleGate } from '../../../../src/platform/throttleGate.js';

function answer(status: number, headers: Record<string, string> = {}): SendRequest {
  return async (request) => ({ request, status, headers: createHttpHeaders(headers) }) as PipelineResponse;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('throttle gate', () => {
  it('holds every later request until the Retry-After of a 429 has passed', async () => {
    vi.useFakeTimers();
    const { policy } = createThrottleGate();
    const request = createPipelineRequest({ url: 'https://vault.local/secrets/x' });
    await policy.sendRequest(request, answer(429, { 'retry-after': '2' }));

    const sent = vi.fn(answer(200));
    const pending = policy.sendRequest(request, sent);
    await vi.advanceTimersByTimeAsync(1_900);
    expect(sent).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(200);
    expect((await pending).status).toBe(200);
    expect(sent).toHaveBeenCalledOnce();
  });

  it('lets requests through at once while nothing is throttled', async () => {
    const { policy } = createThrottleGate();
    const sent = vi.fn(answer(200));
    await policy.sendRequest(createPipelineRequest({ url: 'https://vault.local/' }), sent);
    expect(sent).toHaveBeenCalledOnce();
  });

  it('tells its listeners about every 429 and its Retry-After, until they stop listening', async () => {
    vi.useFakeTimers();
    const gate = createThrottleGate();
    const heard: number[] = [];
    const stop = gate.onThrottled((ms) => heard.push(ms));
    const request = createPipelineRequest({ url: 'https://vault.local/secrets/x' });
    await gate.policy.sendRequest(request, answer(429, { 'retry-after': '3' }));
    const held = gate.policy.sendRequest(request, answer(200));
    await vi.advanceTimersByTimeAsync(3_000);
    await held;
    expect(heard).toEqual([3_000]);
    stop();
    await gate.policy.sendRequest(request, answer(429));
    expect(heard).toEqual([3_000]);
  });
});
