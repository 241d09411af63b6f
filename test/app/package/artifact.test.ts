// What ships runs without the repository around it: `npm run package` builds the zip, the test
// unpacks it into an empty folder outside the repository (where no node_modules can be found) and
// runs it on the local host with its own emulator and the stack's Azurite: health, a secret round
// trip, a certificate job and a timer run. The bundle's module graph is checked too: registering
// the functions loads no Azure SDK package, and the secrets feature never pulls in table, blob,
// queue or certificate code.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageApp, type PackageResult } from '../../../scripts/package.js';
import { DASHBOARD_ASSETS } from '../../../src/dashboard/files.js';
import { uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { OtlpReceiver } from '../../support/otlpReceiver.js';
import { waitForOperation } from '../../support/operations.js';
import { RotationTimer, until } from '../../support/rotation.js';

const MAX_ZIP_BYTES = 15 * 1024 * 1024;
const canary = `CANARY-${Math.random().toString(36).slice(2)}-ARTIFACT`;

let workDir: string;
let packaged: PackageResult;
let unpacked: string;
let app: IsolatedApp;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'artifact-'));
  packaged = await packageApp({ out: path.join(workDir, 'app.zip'), appDir: path.join(workDir, 'staged') });
  unpacked = path.join(workDir, 'unpacked');
  for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(await readFile(packaged.zipFile))))) {
    if (name.endsWith('/')) continue;
    await mkdir(path.dirname(path.join(unpacked, name)), { recursive: true });
    await writeFile(path.join(unpacked, name), bytes);
  }
  // What Azure's app settings would hold (there is no local.settings.json in the artifact).
  app = await startIsolatedApp({ appDir: unpacked, settings: { FUNCTIONS_WORKER_RUNTIME: 'node', ROTATION_SCHEDULE: '0 0 3 * * *' } });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the deployable zip', () => {
  it('is small and holds the bundle, host.json and a package.json whose main is the bundle', async () => {
    expect(packaged.zipBytes).toBeLessThanOrEqual(MAX_ZIP_BYTES);
    const manifest = JSON.parse(await readFile(path.join(unpacked, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ type: 'module', main: 'index.js' });
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.devDependencies).toBeUndefined();
    expect(JSON.parse(await readFile(path.join(unpacked, 'host.json'), 'utf8'))).toEqual(JSON.parse(await readFile('host.json', 'utf8')));
    // The only installed packages are the Swagger UI the docs page serves and the chart library
    // the dashboard serves (their files, no code the app runs).
    expect((await readdir(path.join(unpacked, 'node_modules'))).sort()).toEqual(['chart.js', 'swagger-ui-dist']);
  });

  it('answers health, a secret round trip, a certificate job and a timer run', { timeout: 180_000 }, async () => {
    expect((await app.api.get('/health')).status).toBe(200);
    const deep = await app.api.get('/health/deep');
    expect(deep.status, deep.text).toBe(200);

    const secret = uniqueName('artifact');
    expect((await app.api.put(`/secrets/${secret}`, { value: canary })).status).toBe(201);
    expect((await app.api.get(`/secrets/${secret}`)).body.value).toBe(canary);

    const certificate = uniqueName('artifact-cert');
    const created = await app.api.put(`/certificates/${certificate}`, {});
    expect(created.status, created.text).toBe(202);
    expect((await waitForOperation(app.api, created.headers.get('operation-location')!)).status).toBe('Succeeded');
    expect((await app.api.get(`/certificates/${certificate}`)).body.properties.x509Thumbprint).toMatch(/^[0-9A-Fa-f]{40}$/);

    const due = uniqueName('artifact-due');
    await app.api.put(`/secrets/${due}`, { value: canary, tags: { 'rotation-interval': 'P1D', 'rotated-at': new Date(Date.now() - 2 * 86_400_000).toISOString() } });
    const run = await new RotationTimer(app).run('a rotation run of the packaged app');
    expect(run).toMatchObject({ ran: true, rotated: 1, failed: 0, failedSteps: '' });
    expect((await app.api.get(`/secrets/${due}/versions`)).body.value).toHaveLength(2);
    expect(app.output()).not.toContain(canary);
  });

  it('serves the OpenAPI document and the docs page from the artifact', async () => {
    const document = await app.api.get('/openapi.json', { key: false });
    expect(document.status).toBe(200);
    expect(Object.keys(document.body.paths)).toContain('/secrets/{name}');
    const bundle = await app.api.get('/docs/swagger-ui-bundle.js', { key: false });
    expect(bundle.status).toBe(200);
  });

  it('serves the dashboard page and its files from the artifact', async () => {
    const page = await app.api.get('/dashboard');
    expect(page.status).toBe(200);
    expect(page.text).toContain('dashboard/dashboard.js');
    for (const asset of Object.keys(DASHBOARD_ASSETS)) expect((await app.api.get(`/dashboard/${asset}`, { key: false })).status, asset).toBe(200);
  });
});

describe('the deployable zip with telemetry on', () => {
  it('sends the request span and the Key Vault client spans of one trace to an OTLP endpoint', { timeout: 120_000 }, async () => {
    // The bundle loads the OpenTelemetry packages differently from Node (esbuild may take a
    // package's CommonJS build), so the SDK must be seen starting from the artifact itself.
    const receiver = await OtlpReceiver.start();
    const traced = await startIsolatedApp({ appDir: unpacked, settings: { FUNCTIONS_WORKER_RUNTIME: 'node', ROTATION_SCHEDULE: '0 0 3 * * *', ...receiver.settings() } });
    try {
      const name = uniqueName('artifact-traced');
      expect((await traced.api.put(`/secrets/${name}`, { value: canary })).status).toBe(201);
      const server = await until(() => receiver.spans.find((span) => span.name === 'PUT secretsSet'), 'the request span');
      await until(() => receiver.trace(server.traceId).some((span) => span.name === 'SecretClient.setSecret'), 'the Key Vault client span');
      expect(traced.output()).not.toContain('[telemetry] not started');
      expect(receiver.bodies.some((body) => body.includes(canary))).toBe(false);
    } finally {
      await traced.stop();
      await receiver.stop();
    }
  });
});

describe("the bundle's module graph", () => {
  const meta = () => packaged.metafile;
  /** Every input file loaded with `chunk` before any of it runs (static imports, transitively). */
  const loadedWith = (chunk: string): string[] => {
    const seen = new Set<string>();
    const visit = (output: string) => {
      if (seen.has(output) || !meta().outputs[output]) return;
      seen.add(output);
      for (const edge of meta().outputs[output]!.imports) if (edge.kind === 'import-statement') visit(edge.path);
    };
    visit(chunk);
    return [...seen].flatMap((output) => Object.keys(meta().outputs[output]!.inputs));
  };
  const chunkOf = (entryPoint: string): string => {
    const found = Object.entries(meta().outputs).find(([, output]) => output.entryPoint?.endsWith(entryPoint));
    if (!found) throw new Error(`no chunk is loaded for ${entryPoint}`);
    return found[0];
  };
  const packagesIn = (inputs: string[]) => new Set(inputs.flatMap((input) => /node_modules\/(@azure\/[^/]+|@typespec\/[^/]+)/.exec(input)?.[1] ?? []));

  it('registers every function without loading an Azure SDK package', () => {
    const index = Object.keys(meta().outputs).find((output) => output.endsWith('/index.js'))!;
    // @azure/functions and the small package of shared types it requires.
    expect([...packagesIn(loadedWith(index))].sort()).toEqual(['@azure/functions', '@azure/functions-extensions-base']);
  });

  it('loads no OpenTelemetry package at start-up, nor with any feature until telemetry is configured', () => {
    const otel = (inputs: string[]) =>
      inputs.filter((input) => /node_modules\/(@opentelemetry\/|@azure\/monitor-opentelemetry|@azure\/opentelemetry-|@azure\/functions-opentelemetry)/.test(input));
    const index = Object.keys(meta().outputs).find((output) => output.endsWith('/index.js'))!;
    expect(otel(loadedWith(index))).toEqual([]);
    // Only the SDK module (imported when a telemetry setting is present) brings them in.
    for (const feature of ['src/secrets/service.ts', 'src/jobs/worker.ts', 'src/rotation/timer.ts']) expect(otel(loadedWith(chunkOf(feature))), feature).toEqual([]);
    expect(otel(loadedWith(chunkOf('src/platform/telemetrySdk.ts'))).length).toBeGreaterThan(0);
  });

  it('loads only the secrets client, identity and the pipeline for the secrets feature', () => {
    const secretsFeature = ['src/secrets/service.ts', '@azure/keyvault-secrets/dist/esm/index.js', '@azure/identity/dist/esm/index.js'].flatMap((entry) =>
      loadedWith(chunkOf(entry)),
    );
    const packages = packagesIn(secretsFeature);
    expect(packages).toContain('@azure/keyvault-secrets');
    for (const unwanted of ['@azure/data-tables', '@azure/storage-blob', '@azure/storage-queue', '@azure/keyvault-certificates', '@azure/keyvault-keys']) {
      expect(packages, unwanted).not.toContain(unwanted);
    }
    expect(secretsFeature.filter((input) => input.startsWith('src/certificates/service'))).toEqual([]);
  });
});
