// Endpoint definitions load on first use, so their registrations are checked here: every function
// file is imported (with @azure/functions in its test mode) and every definition loaded.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { loadRegisteredEndpoints } from '../../../../src/http/app.js';
import { checkedAgainst, defineEndpoint, type HttpRegistration } from '../../../../src/http/endpoint.js';

const functionsDir = path.resolve(import.meta.dirname, '../../../../src/functions');

describe('HTTP registrations', () => {
  const warn = vi.spyOn(console, 'warn');
  beforeAll(() => warn.mockImplementation(() => undefined));
  afterAll(() => warn.mockRestore());

  it('every endpoint fits its registration (auth level, route parameters)', async () => {
    const files = (await readdir(functionsDir)).filter((file) => file.endsWith('.ts'));
    let withEndpoint = 0;
    for (const file of files) {
      const text = await readFile(path.join(functionsDir, file), 'utf8');
      // app.vaultHttp registers the endpoint twice: as is and under vaults/{vault}/.
      if (text.includes('handler: endpoint(')) withEndpoint += text.includes('app.vaultHttp(') ? 2 : 1;
      await import(path.join(functionsDir, file));
    }
    const endpoints = await loadRegisteredEndpoints();
    expect(endpoints).toHaveLength(withEndpoint);
    expect(new Set(endpoints.map((e) => e.name)).size).toBe(withEndpoint);
    for (const { endpoint, authLevel } of endpoints) expect(endpoint.permission === 'public', endpoint.summary).toBe(authLevel === 'anonymous');
  });

  const definition = defineEndpoint({
    summary: 'a secret',
    tag: 'Secrets',
    permission: 'read',
    params: z.object({ name: z.string() }),
    responses: {},
    handle: async () => ({ status: 200 }),
  });
  const registration: HttpRegistration = { name: 'secretsGet', route: 'secrets/{name}', method: 'GET', authLevel: 'function' };

  it('refuses a keyed endpoint registered anonymous, and route parameters its schema does not name', () => {
    expect(checkedAgainst(registration, definition)).toBe(definition);
    expect(() => checkedAgainst({ ...registration, authLevel: 'anonymous' }, definition)).toThrow(/permission 'read' does not fit authLevel 'anonymous'/);
    expect(() => checkedAgainst({ ...registration, route: 'secrets/{name}/versions/{version}' }, definition)).toThrow(/route parameters name,version do not match/);
  });
});
