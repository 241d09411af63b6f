// File mode: certificates, their backing key and secret, a pending operation waiting for a merge,
// issuers and contacts all survive an emulator restart.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DefaultCertificatePolicy } from '@azure/keyvault-certificates';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator } from '../helpers.js';
import { CERTIFICATE_TEST_ROLES, createTestCa, localCertificateClient, localKeyClient, localSecretClient } from './helpers.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kv-cert-persist-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('certificates in the file store', () => {
  it('survive a restart, including a pending operation that is merged afterwards', async () => {
    const options = { dataDir, inMemory: false, roleAssignments: CERTIFICATE_TEST_ROLES };
    const first = await startTestEmulator(options);
    let created;
    try {
      const client = localCertificateClient(first);
      created = await (await client.beginCreateCertificate('kept', DefaultCertificatePolicy, { intervalInMs: 50 })).pollUntilDone();
      await client.beginCreateCertificate('waiting', { issuerName: 'Unknown', subject: 'CN=waiting' }, { intervalInMs: 50 });
      await client.setContacts([{ email: 'ops@example.com' }]);
      await client.createIssuer('kept-ca', 'Test', { accountId: 'a', password: 'p' });
    } finally {
      await first.stop();
    }

    const second = await startTestEmulator(options);
    try {
      const client = localCertificateClient(second);
      const cert = await client.getCertificate('kept');
      expect(cert.properties.version).toBe(created.properties.version);
      expect(Buffer.from(cert.cer!)).toEqual(Buffer.from(created.cer!));
      expect((await localSecretClient(second).getSecret('kept')).properties.version).toBe(created.properties.version);
      expect((await localKeyClient(second).getKey('kept')).properties.version).toBe(created.properties.version);
      expect(await client.getContacts()).toEqual([{ email: 'ops@example.com' }]);
      expect((await client.getIssuer('kept-ca')).accountId).toBe('a');

      const op = (await client.getCertificateOperation('waiting')).getOperationState().certificateOperation!;
      expect(op.status).toBe('inProgress');
      const ca = await createTestCa();
      const merged = await client.mergeCertificate('waiting', [await ca.sign(op.csr!), ca.der]);
      expect(merged.properties.enabled).toBe(true);
    } finally {
      await second.stop();
    }
  });
});
