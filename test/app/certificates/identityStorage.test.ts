// The app and the host reach Storage with the managed identity (identity-based AzureWebJobsStorage
// settings, as infra/ deploys them): Azurite over HTTPS accepting bearer tokens from the local
// identity endpoint, and no connection string anywhere.
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/stack/azurite.js';
import { ensureLocalCa, issueServerCertificate } from '../../../local/tls/index.js';
import { uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { waitForOperation } from '../../support/operations.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
let dir: string;
let azurite: RunningAzurite;
let app: IsolatedApp;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'identity-storage-'));
  const ca = await ensureLocalCa(path.dirname(inject('stack').vault.caFile));
  const certificate = await issueServerCertificate(ca, []);
  await writeFile(path.join(dir, 'cert.pem'), certificate.chainPem);
  await writeFile(path.join(dir, 'key.pem'), certificate.keyPem, { mode: 0o600 });
  azurite = await startAzurite({ location: '', inMemory: true, tls: { certFile: path.join(dir, 'cert.pem'), keyFile: path.join(dir, 'key.pem') } });
  expect(azurite.queueUrl).toMatch(/^https:/);

  // The same app, with local settings that hold no connection string.
  const appDir = path.join(dir, 'app');
  await mkdir(appDir);
  await copyFile(path.join(repoRoot, 'package.json'), path.join(appDir, 'package.json'));
  await copyFile(path.join(repoRoot, 'host.json'), path.join(appDir, 'host.json'));
  await symlink(path.join(repoRoot, 'dist'), path.join(appDir, 'dist'));
  await writeFile(
    path.join(appDir, 'local.settings.json'),
    JSON.stringify({ IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: 'node', ROTATION_SCHEDULE: '0 0 3 * * *' } }),
  );

  app = await startIsolatedApp({
    appDir,
    storage: 'identity',
    settings: {
      AzureWebJobsStorage__queueServiceUri: azurite.queueUrl,
      AzureWebJobsStorage__tableServiceUri: azurite.tableUrl,
      AzureWebJobsStorage__blobServiceUri: azurite.blobUrl,
      AzureWebJobsStorage__credential: 'managedidentity',
    },
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await azurite?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('identity-based storage', () => {
  it('runs a certificate job end to end: operation table, job queue and queue trigger all with bearer tokens', async () => {
    const name = uniqueName('mi-storage');
    const response = await app.api.put(`/certificates/${name}`, undefined);
    expect(response.status, response.text).toBe(202);
    const operation = await waitForOperation(app.api, response.headers.get('operation-location')!);
    expect(operation.status).toBe('Succeeded');
    const deep = await app.api.get('/health/deep');
    expect(deep.body.checks.storage.status).toBe('Healthy');
    expect(app.output()).not.toMatch(/AccountKey|SharedKey/);
  });
});
