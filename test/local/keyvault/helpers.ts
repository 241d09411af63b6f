// Shared setup for Key Vault emulator tests: start an emulator (in memory, port 0), build real SDK
// clients that trust its CA, and send raw HTTPS requests.
import { Agent, request as httpsRequest } from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { ManagedIdentityCredential } from '@azure/identity';
import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../local/keyvault/index.js';

/** In memory on a free port; `instant` timing unless the test is about timing. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator({ port: 0, inMemory: true, timing: 'instant', ...options });
  // ManagedIdentityCredential reads these when it is constructed.
  process.env['IDENTITY_ENDPOINT'] = emulator.identityEndpoint;
  process.env['IDENTITY_HEADER'] = emulator.identityHeader;
  return emulator;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** Resolves `*.vault.azure.net` (and `*.vault.local`) to 127.0.0.1 without /etc/hosts. */
export function loopbackLookup(hostname: string, options: { all?: boolean } | number | undefined, callback: LookupCallback): void {
  if (/\.vault\.(azure\.net|local)$/i.test(hostname)) {
    if (typeof options === 'object' && options?.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  dnsLookup(hostname, (typeof options === 'object' ? options : {}) as never, callback as never);
}

/** HTTPS agent trusting the emulator CA and resolving vault host names locally. */
export function vaultAgent(emulator: RunningEmulator): Agent {
  return new Agent({ ca: emulator.caPem, keepAlive: true, lookup: loopbackLookup as never });
}

/** URL of the emulator under a `<name>.vault.azure.net` host name (challenge verification ON). */
export function azureStyleUrl(emulator: RunningEmulator, vaultName = 'myvault'): string {
  return `https://${vaultName}.vault.azure.net:${emulator.port}`;
}

export function credentialFor(emulator: RunningEmulator, identityName = 'system'): ManagedIdentityCredential {
  const principal = emulator.principals.find((p) => p.name === identityName);
  if (!principal) throw new Error(`no identity ${identityName}`);
  return principal.kind === 'SystemAssigned' ? new ManagedIdentityCredential() : new ManagedIdentityCredential({ clientId: principal.clientId });
}

/** Secret client on the localhost URL (verification off, as the app does with KEYVAULT_LOCAL). */
export function localSecretClient(emulator: RunningEmulator, identityName = 'system', options: SecretClientOptions = {}): SecretClient {
  return new SecretClient(emulator.vaultUrl, credentialFor(emulator, identityName), {
    tlsOptions: { ca: emulator.caPem },
    disableChallengeResourceVerification: true,
    retryOptions: { maxRetries: 3 },
    ...options,
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  host?: string;
  /** Default: the emulator's first vault. */
  port?: number;
}

/** Raw HTTPS request to the emulator (trusting its CA). */
export function rawRequest(emulator: RunningEmulator, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(req.headers ?? {}) };
    if (req.host) headers['host'] = req.host;
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const r = httpsRequest(
      { host: '127.0.0.1', port: req.port ?? emulator.port, method: req.method ?? 'GET', path: req.path, headers, ca: emulator.caPem, servername: 'localhost' },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown });
        });
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

/** A valid token for `identityName` with the Key Vault audience. */
export function tokenFor(emulator: RunningEmulator, identityName = 'system', resource = 'https://vault.azure.net'): Promise<string> {
  return emulator.identity.issueToken(identityName, resource);
}

export async function adminRequest(emulator: RunningEmulator, method: string, path: string, body?: unknown): Promise<RawResponse> {
  return rawRequest(emulator, {
    method,
    path: `/_emulator${path}`,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
}
