// The target-update hook: a webhook told about each rotation before the new value is written,
// with names and versions only; a refusal stops that secret's rotation.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';

const canary = `CANARY-${Math.random().toString(36).slice(2)}-WEBHOOK`;
const received: { body: string }[] = [];
let refuse = false;
let server: http.Server;
let app: IsolatedApp;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ body });
      response.writeHead(refuse ? 503 : 204).end();
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

describe('rotation webhook', () => {
  it('is told the name, previous version and rotation id, never the value; a refusal stops the rotation', async () => {
    const name = uniqueName('hooked');
    const created = await app.api.put(`/secrets/${name}`, { value: canary });
    const rotated = await app.api.post(`/secrets/${name}/rotate`);
    expect(rotated.status).toBe(200);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body)).toEqual({ name, previousVersion: created.body.version, rotationId: rotated.body.properties.tags['rotation-id'] });
    const newValue = (await app.api.get(`/secrets/${name}`)).body.value as string;
    expect(received[0]!.body).not.toContain(canary);
    expect(received[0]!.body).not.toContain(newValue);

    refuse = true;
    const refused = await app.api.post(`/secrets/${name}/rotate`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('webhook answered 503');
    expect((await app.api.get(`/secrets/${name}/versions`)).body.value).toHaveLength(2);
  });
});
