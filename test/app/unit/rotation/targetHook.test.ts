import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookTargetUpdate } from '../../../../src/rotation/targetHook.js';

describe('the rotation webhook', () => {
  const calls: string[] = [];
  let base = '';
  const server = http.createServer((request, response) => {
    calls.push(request.url ?? '');
    request.resume();
    if (request.url === '/redirect') response.writeHead(307, { location: `${base}/elsewhere` }).end();
    else response.writeHead(request.url === '/ok' ? 204 : 500).end();
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => new Promise((resolve) => server.close(resolve)));

  const rotation = { name: 's', previousVersion: 'v1', rotationId: 'r1' };

  it('accepts a 2xx and refuses any other answer', async () => {
    await expect(webhookTargetUpdate(`${base}/ok`).beforeWrite(rotation)).resolves.toBeUndefined();
    await expect(webhookTargetUpdate(`${base}/fail`).beforeWrite(rotation)).rejects.toThrow(/500/);
  });

  it('does not follow a redirect to another receiver', async () => {
    calls.length = 0;
    await expect(webhookTargetUpdate(`${base}/redirect`).beforeWrite(rotation)).rejects.toThrow();
    expect(calls).toEqual(['/redirect']);
  });
});
