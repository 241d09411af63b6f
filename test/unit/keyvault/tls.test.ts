import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureLocalCa, issueServerCertificate } from '../../../local/tls/index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('local CA', () => {
  it('creates once and reuses (also under concurrent callers)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kv-ca-'));
    dirs.push(dir);
    const [a, b, c] = await Promise.all([ensureLocalCa(dir), ensureLocalCa(dir), ensureLocalCa(dir)]);
    expect(b!.certPem).toBe(a!.certPem);
    expect(c!.certPem).toBe(a!.certPem);
    const again = await ensureLocalCa(dir);
    expect(again.certPem).toBe(a!.certPem);
    const cert = new X509Certificate(a!.certPem);
    expect(cert.ca).toBe(true);
  });

  it('issues server certificates covering the defaults and extra names, trusted via the CA', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kv-ca-'));
    dirs.push(dir);
    const ca = await ensureLocalCa(dir);
    const server = await issueServerCertificate(ca, ['devbox.example', '10.1.2.3']);
    const x509 = new X509Certificate(server.certPem);
    expect(x509.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.subjectAltName).toContain('DNS:*.vault.azure.net');
    expect(x509.subjectAltName).toContain('DNS:devbox.example');
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x509.subjectAltName).toContain('IP Address:10.1.2.3');
    expect(x509.checkHost('kv1.vault.azure.net')).toBe('*.vault.azure.net');

    const https = createServer({ key: server.keyPem, cert: server.chainPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const port = (https.address() as AddressInfo).port;
    try {
      for (const servername of ['localhost', 'myvault.vault.azure.net']) {
        const authorized = await new Promise<boolean>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port, servername, ca: ca.certPem }, () => {
            resolve(socket.authorized);
            socket.end();
          });
          socket.on('error', reject);
        });
        expect(authorized).toBe(true);
      }
    } finally {
      https.close();
    }
  });
});
