// The target-update hook: a webhook told about each rotation before the new value is written,
// with names and versions only, signed with a key the app keeps in its vault; a refusal (or a
// redirect) stops that secret's rotation.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { appVaultClients } from '../../support/vault.js';

const canary = `CANARY-${Math.random().toString(36).slice(2)}-WEBHOOK`;
const received: { url: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
let answer: 'ok' | 'refuse' | 'redirect' = 'ok';
let server: http.Server;
let app: IsolatedApp;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
      if (answer === 'redirect') response.writeHead(307, { location: '/elsewhere' }).end();
      else response.writeHead(answer === 'refuse' ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  app = await startIsolatedApp({ settings: { ROTATION_WEBHOOK_URL: `http://127.0.0.1:${port}/rotations` } });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

/** What a receiver does (docs/security.md): read the key from the vault, recompute, compare in constant time. */
async function verify(request: (typeof received)[number], vault: SecretClient): Promise<boolean> {
  const version = request.headers['x-signature-key-version'] as string;
  const timestamp = request.headers['x-signature-timestamp'] as string;
  const signature = Buffer.from((request.headers['x-signature-256'] as string) ?? '');
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from((await vault.getSecret('app-webhook-signing-key', { version })).value!, 'base64');
  const expected = Buffer.from(`sha256=${createHmac('sha256', key).update(`${timestamp}.`).update(request.body).digest('hex')}`);
  return signature.length === expected.length && timingSafeEqual(signature, expected);
}

describe('rotation webhook', () => {
  it('is told the name, previous version and rotation id, never the value; a refusal stops the rotation', async () => {
    const name = uniqueName('hooked');
    const created = await app.api.put(`/secrets/${name}`, { value: canary });
    received.length = 0;
    const rotated = await app.api.post(`/secrets/${name}/rotate`);
    expect(rotated.status).toBe(200);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body.toString('utf8'))).toEqual({
      name,
      previousVersion: created.body.version,
      rotationId: rotated.body.properties.tags['rotation-id'],
    });
    const newValue = (await app.api.get(`/secrets/${name}`)).body.value as string;
    expect(received[0]!.body.toString('utf8')).not.toContain(canary);
    expect(received[0]!.body.toString('utf8')).not.toContain(newValue);

    answer = 'refuse';
    try {
      const refused = await app.api.post(`/secrets/${name}/rotate`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain('webhook answered 503');
      expect((await app.api.get(`/secrets/${name}/versions`)).body.value).toHaveLength(2);
    } finally {
      answer = 'ok';
    }
  });

  it('signs every request with the key the app keeps in its vault, which a receiver reads to verify it', async () => {
    const name = uniqueName('signed');
    await app.api.put(`/secrets/${name}`, { value: 'v' });
    received.length = 0;
    expect((await app.api.post(`/secrets/${name}/rotate`)).status).toBe(200);
    expect((await app.api.post(`/secrets/${name}/rotate`)).status).toBe(200);
    expect(received).toHaveLength(2);

    const vault = appVaultClients(app.emulator.vaultUrl, { endpoint: app.emulator.identityEndpoint, header: app.emulator.identityHeader }).secrets;
    for (const request of received) expect(await verify(request, vault)).toBe(true);
    // A receiver that gets a body other than the one signed refuses it.
    const tampered = { ...received[0]!, body: Buffer.from(received[0]!.body.toString('utf8').replace(name, `${name}-x`)) };
    expect(await verify(tampered, vault)).toBe(false);

    // One key, in one version, created by the app and never written to its output.
    const versions = [];
    for await (const properties of vault.listPropertiesOfSecretVersions('app-webhook-signing-key')) versions.push(properties);
    expect(versions).toHaveLength(1);
    expect(received[0]!.headers['x-signature-key-version']).toBe(versions[0]!.version);
    const key = (await vault.getSecret('app-webhook-signing-key')).value!;
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(app.output()).not.toContain(key);
  });

  it('does not follow a redirect: the rotation stops and the other URL is never called', async () => {
    const name = uniqueName('redirected');
    await app.api.put(`/secrets/${name}`, { value: 'v' });
    received.length = 0;
    answer = 'redirect';
    try {
      const refused = await app.api.post(`/secrets/${name}/rotate`);
      expect(refused.status).toBe(409);
      expect(received.map((request) => request.url)).toEqual(['/rotations']);
      expect((await app.api.get(`/secrets/${name}/versions`)).body.value).toHaveLength(1);
    } finally {
      answer = 'ok';
    }
  });
});
