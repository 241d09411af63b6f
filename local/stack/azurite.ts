import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertPortFree, freePort } from './ports.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const azuriteBin = path.join(repoRoot, 'node_modules', '.bin', 'azurite');

/** Azurite's published development account (the same for every Azurite install). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Data folder; ignored with `inMemory`. */
  location: string;
  inMemory?: boolean;
  /** 0 or absent: a free port. */
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  /** HTTPS with this certificate, and bearer tokens accepted (`--oauth basic`). */
  tls?: { certFile: string; keyFile: string };
}

export interface RunningAzurite {
  blobUrl: string;
  queueUrl: string;
  tableUrl: string;
  connectionString: string;
  location: string;
  stop(): Promise<void>;
}

export async function startAzurite(options: AzuriteOptions): Promise<RunningAzurite> {
  const ports = {
    blob: options.blobPort || (await freePort()),
    queue: options.queuePort || (await freePort()),
    table: options.tablePort || (await freePort()),
  };
  for (const [service, port] of Object.entries(ports)) await assertPortFree(port, `Azurite ${service}`);

  const args = [
    '--silent',
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--blobPort',
    String(ports.blob),
    '--queuePort',
    String(ports.queue),
    '--tablePort',
    String(ports.table),
  ];
  if (options.inMemory) args.push('--inMemoryPersistence');
  else {
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  }
  if (options.tls) args.push('--cert', options.tls.certFile, '--key', options.tls.keyFile, '--oauth', 'basic');

  const child = spawn(azuriteBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitUntilListening(child, 3);

  const scheme = options.tls ? 'https' : 'http';
  const url = (port: number) => `${scheme}://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  const endpoints = { blobUrl: url(ports.blob), queueUrl: url(ports.queue), tableUrl: url(ports.table) };
  return {
    ...endpoints,
    location: options.location,
    connectionString:
      `DefaultEndpointsProtocol=${scheme};AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
      `BlobEndpoint=${endpoints.blobUrl};QueueEndpoint=${endpoints.queueUrl};TableEndpoint=${endpoints.tableUrl};`,
    stop: () => stopChild(child),
  };
}

async function waitUntilListening(child: ChildProcess, services: number): Promise<void> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    let listening = 0;
    const timer = setTimeout(() => fail(new Error('Azurite did not start within 30 s')), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n${output.trim()}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      listening = (output.match(/successfully listening/g) ?? []).length;
      if (listening >= services) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`Azurite exited with code ${code} before it was ready`)));
  });
  child.removeAllListeners('exit');
  child.stdout?.resume();
  child.stderr?.resume();
}

export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
