import { X509Certificate } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCaDir, ensureLocalCa, issueServerCertificate } from '../../../../local/tls/index.js';

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

  it('keeps the CA in a folder of this user only: created 0700, narrowed to 0700, never a shared temp path', async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'kv-ca-'));
    dirs.push(parent);
    const fresh = path.join(parent, 'new', 'ca');
    await ensureLocalCa(fresh);
    expect((await stat(fresh)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(fresh, 'ca-key.pem'))).mode & 0o777).toBe(0o600);

    const loose = path.join(parent, 'loose');
    await mkdir(loose, { mode: 0o755 });
    await chmod(loose, 0o755);
    await ensureLocalCa(loose);
    expect((await stat(loose)).mode & 0o777).toBe(0o700);

    expect(defaultCaDir().startsWith(os.tmpdir())).toBe(false);
    expect(defaultCaDir().startsWith(os.homedir())).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a CA folder, or a link to one, that another user owns', async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'kv-ca-'));
    dirs.push(parent);
    const foreign = path.join(parent, 'foreign');
    await mkdir(foreign, { mode: 0o700 });
    await chown(foreign, 4242, 4242);
    await expect(ensureLocalCa(foreign)).rejects.toThrow(/belongs to another user \(uid 4242\)/);
    await expect(readdir(foreign)).resolves.toEqual([]);

    const link = path.join(parent, 'link');
    await symlink(foreign, link);
    await expect(ensureLocalCa(link)).rejects.toThrow(/belongs to another user/);
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
