import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookTargetUpdate } from '../../../../src/rotation/targetHook.js';

describe('the rotation webhook', () => {
  const calls: { url: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  let base = '';
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      calls.push({ url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
      if (request.url === '/redirect') response.writeHead(307, { location: `${base}/elsewhere` }).end();
      else response.writeHead(request.url === '/ok' ? 204 : 500).end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => new Promise((resolve) => server.close(resolve)));

  const key = randomBytes(32);
  const signingKey = async () => ({ key, version: 'k1' });
  const rotation = { name: 's', previousVersion: 'v1', rotationId: 'r1' };

  it('accepts a 2xx and refuses any other answer', async () => {
    await expect(webhookTargetUpdate(`${base}/ok`, { signingKey }).beforeWrite(rotation)).resolves.toBeUndefined();
    await expect(webhookTargetUpdate(`${base}/fail`, { signingKey }).beforeWrite(rotation)).rejects.toThrow(/500/);
  });

  it('does not follow a redirect to another receiver', async () => {
    calls.length = 0;
    await expect(webhookTargetUpdate(`${base}/redirect`, { signingKey }).beforeWrite(rotation)).rejects.toThrow();
    expect(calls.map((call) => call.url)).toEqual(['/redirect']);
  });

  it('signs the timestamp and the exact body bytes with HMAC-SHA256, naming the key version', async () => {
    calls.length = 0;
    await webhookTargetUpdate(`${base}/ok`, { signingKey }).beforeWrite(rotation);
    const [{ headers, body }] = calls as [(typeof calls)[0]];
    expect(JSON.parse(body.toString('utf8'))).toEqual(rotation);
    expect(headers['x-signature-key-version']).toBe('k1');
    const timestamp = headers['x-signature-timestamp'] as string;
    expect(timestamp).toMatch(/^\d+$/);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);

    const expected = (content: Buffer) => Buffer.from(`sha256=${createHmac('sha256', key).update(content).digest('hex')}`);
    const received = Buffer.from(headers['x-signature-256'] as string);
    const signed = Buffer.concat([Buffer.from(`${timestamp}.`), body]);
    expect(timingSafeEqual(received, expected(signed))).toBe(true);
    // Neither another body nor another timestamp carries this signature.
    expect(received.equals(expected(Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body.toString().replace('r1', 'r2'))])))).toBe(false);
    expect(received.equals(expected(Buffer.concat([Buffer.from(`${Number(timestamp) + 1}.`), body])))).toBe(false);
  });

  it('sends nothing when the signing key cannot be read', async () => {
    calls.length = 0;
    const unavailable = async () => Promise.reject(new Error('vault unavailable'));
    await expect(webhookTargetUpdate(`${base}/ok`, { signingKey: unavailable }).beforeWrite(rotation)).rejects.toThrow('vault unavailable');
    expect(calls).toEqual([]);
  });
});
