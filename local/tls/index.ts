// The local stack's certificate authority: created once under a directory and reused, so clients
// can trust it via NODE_EXTRA_CA_CERTS (or `tlsOptions: { ca }`) and keep TLS checks on.
// Server certificates for the emulator and Azurite are issued from it on each start.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { chmod, lstat, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import envPaths from 'env-paths';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface LocalCa {
  /** PEM of the CA certificate (what clients trust). */
  certPem: string;
  /** PKCS#8 PEM of the CA key. Never log it. */
  keyPem: string;
  /** Path of the CA certificate file (for NODE_EXTRA_CA_CERTS). */
  certFile: string;
  keyFile: string;
}

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
  /** Server certificate followed by the CA certificate. */
  chainPem: string;
  hostNames: string[];
}

const CA_CERT_FILE = 'ca.pem';
const CA_KEY_FILE = 'ca-key.pem';
const LOCK_FILE = 'ca.lock';
const ALGORITHM: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const subtle = webcrypto.subtle;

/** Names every server certificate covers, besides the ones asked for. */
export const DEFAULT_SERVER_HOST_NAMES = ['localhost', '127.0.0.1', '::1', '*.vault.azure.net'];

function toPem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.endsWith('\n') ? b64 : `${b64}\n`}-----END ${label}-----\n`;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function writeNew(file: string, content: string, mode: number): Promise<void> {
  const handle = await open(file, 'w', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The CA pair is valid when both files exist and the key matches the certificate. */
async function loadCa(dir: string): Promise<LocalCa | undefined> {
  const certFile = path.join(dir, CA_CERT_FILE);
  const keyFile = path.join(dir, CA_KEY_FILE);
  if (!(await exists(certFile)) || !(await exists(keyFile))) return undefined;
  try {
    const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    if (!new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))) return undefined;
    return { certPem, keyPem, certFile, keyFile };
  } catch {
    return undefined;
  }
}

async function createCa(dir: string): Promise<LocalCa> {
  const keys = await subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    name: 'CN=Key Vault Functions Local CA, O=Local Development',
    notBefore: new Date(now - 60 * 60 * 1000),
    notAfter: new Date(now + 10 * 365 * 24 * 60 * 60 * 1000),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const keyPem = toPem('PRIVATE KEY', await subtle.exportKey('pkcs8', keys.privateKey));
  const certPem = cert.toString('pem') + '\n';
  const certFile = path.join(dir, CA_CERT_FILE);
  const keyFile = path.join(dir, CA_KEY_FILE);
  // Key first: a crash in between leaves an invalid pair, which the next start replaces.
  await writeNew(keyFile, keyPem, 0o600);
  await writeNew(certFile, certPem, 0o644);
  return { certPem, keyPem, certFile, keyFile };
}

/** Where the CA lives when the caller names no folder: this user's data directory
 * (`~/.local/share/kv-emulator/ca` on Linux), never a folder other users share such as /tmp. */
export function defaultCaDir(): string {
  return path.join(envPaths('kv-emulator', { suffix: '' }).data, 'ca');
}

/**
 * The CA key signs certificates every local client trusts, so its folder must be this user's
 * alone: created 0700; an existing one (or a link to it) owned by someone else is refused, and
 * one others can read is narrowed to 0700.
 */
async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.getuid === undefined) return; // Windows: per-user profile folders carry ACLs instead.
  const uid = process.getuid();
  const [link, target] = await Promise.all([lstat(dir), stat(dir)]);
  for (const info of [link, target]) {
    if (info.uid !== uid) {
      throw new Error(`The CA folder ${dir} belongs to another user (uid ${info.uid}); choose a folder of your own (caDir / --ca-dir).`);
    }
  }
  if ((target.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

/**
 * Loads the CA under `dir`, creating it on first use. Safe against concurrent callers (other
 * processes of the stack) through an exclusive lock file.
 */
export async function ensureLocalCa(dir: string): Promise<LocalCa> {
  await ensurePrivateDir(dir);
  const existing = await loadCa(dir);
  if (existing) return existing;
  const lock = path.join(dir, LOCK_FILE);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const handle = await open(lock, 'wx');
      await handle.close();
      break;
    } catch {
      const stale = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs > 30_000,
        () => true,
      );
      if (stale) await rm(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`Timed out waiting for the CA lock ${lock}`);
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return (await loadCa(dir)) ?? (await createCa(dir));
  } finally {
    await rm(lock, { force: true });
  }
}

/** Issues a server certificate (ECDSA P-256, 1 year) for `hostNames` plus the defaults. */
export async function issueServerCertificate(ca: LocalCa, hostNames: readonly string[] = []): Promise<ServerCertificate> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await subtle.importKey('pkcs8', createPrivateKey(ca.keyPem).export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const names = [...new Set([...DEFAULT_SERVER_HOST_NAMES, ...hostNames].map((n) => n.trim().toLowerCase()).filter(Boolean))];
  const keys = await subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    subject: `CN=${names.find((n) => isIP(n) === 0 && !n.startsWith('*')) ?? 'localhost'}`,
    issuer: caCert.subject,
    notBefore: new Date(now - 60 * 60 * 1000),
    notAfter: new Date(now + 365 * 24 * 60 * 60 * 1000),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: isIP(value) ? 'ip' : 'dns', value }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  const certPem = cert.toString('pem') + '\n';
  const keyPem = toPem('PRIVATE KEY', await subtle.exportKey('pkcs8', keys.privateKey));
  return { certPem, keyPem, chainPem: certPem + ca.certPem, hostNames: names };
}
