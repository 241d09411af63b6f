import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createCorsPolicy } from '../../../../local/host/http/cors.js';

function exchange(method: string, headers: Record<string, string>) {
  const set: Record<string, string> = {};
  const res = { statusCode: 200, setHeader: (k: string, v: string) => (set[k] = v), end: () => undefined } as unknown as ServerResponse;
  return { req: { method, headers } as unknown as IncomingMessage, res, set };
}

describe('CORS policy', () => {
  it('is off without Host.CORS', () => {
    expect(createCorsPolicy(undefined, false)).toBeUndefined();
  });

  it('answers wildcard preflights with * and echoes the origin when credentials are allowed', () => {
    const { req, res, set } = exchange('OPTIONS', { origin: 'http://a.example', 'access-control-request-method': 'DELETE' });
    expect(createCorsPolicy('*', false)!.apply(req, res)).toBe(true);
    expect(res.statusCode).toBe(204);
    expect(set['access-control-allow-origin']).toBe('*');

    const withCredentials = exchange('GET', { origin: 'http://a.example' });
    expect(createCorsPolicy('*', true)!.apply(withCredentials.req, withCredentials.res)).toBe(false);
    expect(withCredentials.set['access-control-allow-origin']).toBe('http://a.example');
    expect(withCredentials.set['access-control-allow-credentials']).toBe('true');
  });

  it('matches listed origins case-insensitively and ignores others', () => {
    const policy = createCorsPolicy('http://one.example, HTTP://Two.example/', false)!;
    const two = exchange('GET', { origin: 'http://two.example' });
    policy.apply(two.req, two.res);
    expect(two.set['access-control-allow-origin']).toBe('http://two.example');
    const other = exchange('OPTIONS', { origin: 'http://three.example', 'access-control-request-method': 'GET' });
    expect(policy.apply(other.req, other.res)).toBe(false);
    expect(other.set).toEqual({});
  });
});
