import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionTimeoutMs, readHostJson, routePrefix } from '../../../../local/host/hostJson.js';
import { buildEnvironment, createAppSettings, readLocalSettings } from '../../../../local/host/settings.js';

function appDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'host-config-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

describe('local.settings.json', () => {
  it('reads Values, ConnectionStrings and Host', () => {
    const settings = readLocalSettings(
      appDir({
        'local.settings.json': {
          IsEncrypted: false,
          Values: { A: 'a', N: 5, B: true },
          ConnectionStrings: { Db: 'x' },
          Host: { LocalHttpPort: 7072, CORS: '*', CORSCredentials: true },
        },
      }),
    );
    expect(settings).toEqual({ values: { A: 'a', N: '5', B: 'true' }, connectionStrings: { Db: 'x' }, localHttpPort: 7072, cors: '*', corsCredentials: true });
  });

  it('treats a missing file as empty and a missing IsEncrypted as true (refused)', () => {
    expect(readLocalSettings(appDir({})).values).toEqual({});
    expect(() => readLocalSettings(appDir({ 'local.settings.json': { Values: {} } }))).toThrow('Set "IsEncrypted": false');
  });

  it('lets non-empty environment variables win over Values, and overrides win over both', () => {
    const warnings: string[] = [];
    const env = buildEnvironment({ A: 'settings', B: 'settings', C: 'settings', D: 'settings' }, { A: 'env', B: '', D: 'env' }, { D: 'option' }, (w) => warnings.push(w));
    expect(env).toMatchObject({ A: 'env', B: 'settings', C: 'settings', D: 'option' });
    expect(warnings).toEqual(["Skipping 'A' from local settings as it's already defined in current environment variables."]);
  });
});

describe('AppSettings', () => {
  const settings = createAppSettings({ QUEUE: 'jobs', Storage__queueServiceUri: 'https://q', Storage__credential: 'managedidentity', OTHER: 'x' }, { Main: 'cs' });

  it('resolves %NAME% and names a missing setting', () => {
    expect(settings.resolve('%QUEUE%-poison')).toBe('jobs-poison');
    expect(settings.resolve('plain')).toBe('plain');
    expect(() => settings.resolve('%MISSING%')).toThrow("app setting 'MISSING' is not set");
  });

  it('exposes ConnectionStrings:<name>, `:` as `__`, and prefixed sections', () => {
    expect(settings.get('ConnectionStrings:Main')).toBe('cs');
    expect(settings.get('Storage:queueServiceUri')).toBe('https://q');
    expect(settings.withPrefix('Storage__')).toEqual({ Storage__queueServiceUri: 'https://q', Storage__credential: 'managedidentity' });
  });
});

describe('host.json', () => {
  it('applies AzureFunctionsJobHost__ overrides case-insensitively with the existing types', () => {
    const dir = appDir({ 'host.json': { version: '2.0', extensions: { queues: { batchSize: 16 }, http: { routePrefix: 'api' } } } });
    const hostJson = readHostJson(dir, {
      AzureFunctionsJobHost__Extensions__Queues__BatchSize: '4',
      azurefunctionsjobhost__extensions__http__routePrefix: '',
      AzureFunctionsJobHost__functionTimeout: '00:00:10',
      AzureFunctionsJobHost__logging__logLevel__default: 'Warning',
    });
    expect(hostJson.extensions?.queues?.batchSize).toBe(4);
    expect(routePrefix(hostJson)).toBe('');
    expect(functionTimeoutMs(hostJson)).toBe(10_000);
    expect(hostJson.logging?.logLevel).toEqual({ default: 'Warning' });
  });

  it('parses functionTimeout: default 30 minutes, -1 unlimited, minimum one second', () => {
    expect(functionTimeoutMs({ version: '2.0' })).toBe(30 * 60_000);
    expect(functionTimeoutMs({ version: '2.0', functionTimeout: '-1' })).toBeUndefined();
    expect(functionTimeoutMs({ version: '2.0', functionTimeout: '1.00:00:00' })).toBe(86_400_000);
    expect(() => functionTimeoutMs({ version: '2.0', functionTimeout: '00:00:00.5' })).toThrow('minimum');
    expect(() => functionTimeoutMs({ version: '2.0', functionTimeout: '5' })).toThrow('TimeSpan');
  });

  it('defaults routePrefix to api and trims slashes', () => {
    expect(routePrefix({ version: '2.0' })).toBe('api');
    expect(routePrefix({ version: '2.0', extensions: { http: { routePrefix: '/v1/' } } })).toBe('v1');
  });
});
