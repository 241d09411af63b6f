// Starts the real local host (startHost) on a fixture app, with a record file the app writes to.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHost, type RunningHost } from '../../../../local/host/index.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
export const QUEUE_APP = path.join(FIXTURES, 'queue-app');
export const TIMER_APP = path.join(FIXTURES, 'timer-app');

export interface AppHost extends RunningHost {
  lines: string[];
  dataDir: string;
  /** Every invocation the app recorded so far. */
  records<T = Record<string, unknown>>(fn?: string): T[];
}

export async function startAppHost(appDir: string, env: Record<string, string>, dataDir = tempDir('host-data')): Promise<AppHost> {
  const recordFile = path.join(tempDir('records'), 'records.jsonl');
  const lines: string[] = [];
  const host = await startHost({ appDir, port: 0, dataDir, env: { RECORD_FILE: recordFile, ...env }, log: (line) => lines.push(line) });
  const records = <T>(fn?: string): T[] => {
    if (!existsSync(recordFile)) return [];
    const all = readFileSync(recordFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as T & { fn: string });
    return fn ? all.filter((entry) => entry.fn === fn) : all;
  };
  return Object.assign(host, { lines, dataDir, records });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `${prefix}-`));
}

export async function adminInvoke(host: RunningHost, functionName: string, input: string): Promise<number> {
  const response = await fetch(`${host.baseUrl}/admin/functions/${functionName}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-functions-key': host.masterKey },
    body: JSON.stringify({ input }),
  });
  await response.arrayBuffer();
  return response.status;
}
