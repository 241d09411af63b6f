import { HttpRequest, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { Problem } from '../../../../src/platform/problems.js';
import { apiHandler } from '../../../../src/platform/httpHandler.js';

async function run(handler: Parameters<typeof apiHandler>[0]) {
  const logs: string[] = [];
  const context = new InvocationContext({ logHandler: (_level, ...args) => logs.push(args.join(' ')) });
  const request = new HttpRequest({ method: 'GET', url: 'http://localhost/api/x' });
  const response = (await apiHandler(handler)(request, context)) as { status: number; jsonBody: unknown; headers: Record<string, string> };
  return { response, logs };
}

describe('apiHandler', () => {
  it('adds a request id to successful responses', async () => {
    const { response } = await run(async () => ({ status: 200, jsonBody: { ok: true }, headers: { etag: '"v1"' } }));
    expect(response.status).toBe(200);
    expect(response.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.etag).toBe('"v1"');
  });

  it('maps a Problem to the Azure error shape and header', async () => {
    const { response } = await run(async () => {
      throw new Problem('conflict', 'ObjectIsDeletedButRecoverable', 'Recover or purge it first.', 'name', 5);
    });
    expect(response.status).toBe(409);
    expect(response.jsonBody).toEqual({ error: { code: 'ObjectIsDeletedButRecoverable', message: 'Recover or purge it first.', target: 'name' } });
    expect(response.headers['x-ms-error-code']).toBe('ObjectIsDeletedButRecoverable');
    expect(response.headers['retry-after']).toBe('5');
  });

  it('turns unexpected errors into a 500 that reveals nothing but the request id', async () => {
    const canary = 'canary-secret-7f3a';
    const { response, logs } = await run(async () => {
      throw new TypeError(`boom with ${canary}`);
    });
    const requestId = response.headers['x-ms-request-id'];
    expect(response.status).toBe(500);
    expect(response.jsonBody).toEqual({ error: { code: 'InternalError', message: expect.stringContaining(requestId!) } });
    expect(JSON.stringify(response)).not.toContain(canary);
    expect(JSON.stringify(response)).not.toContain('TypeError');
    expect(logs.join('\n')).not.toContain(canary);
    expect(logs.join('\n')).toContain(requestId);
  });
});
