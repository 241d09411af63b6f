// host.json plus `AzureFunctionsJobHost__<path>` overrides from app settings.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HostJson } from './contracts.js';
import { parseTimeSpan } from './dotnetTime.js';

const OVERRIDE_PREFIX = 'azurefunctionsjobhost__';
const DEFAULT_FUNCTION_TIMEOUT_MS = 30 * 60_000;

export function readHostJson(appDir: string, env: Record<string, string>): HostJson {
  const file = path.join(appDir, 'host.json');
  if (!existsSync(file)) throw new Error(`host.json not found in ${appDir}: it is required (with "version": "2.0")`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  for (const [name, value] of Object.entries(env)) {
    if (name.toLowerCase().startsWith(OVERRIDE_PREFIX)) {
      applyOverride(json, name.slice(OVERRIDE_PREFIX.length).split('__'), value);
    }
  }
  if (json['version'] !== '2.0') {
    throw new Error(`${file}: "version" must be "2.0" (found ${JSON.stringify(json['version'])})`);
  }
  return json as HostJson;
}

function applyOverride(target: Record<string, unknown>, keys: string[], value: string): void {
  const [first, ...rest] = keys;
  if (!first) return;
  // .NET configuration keys are case-insensitive: reuse the spelling host.json already has.
  const key = Object.keys(target).find((k) => k.toLowerCase() === first.toLowerCase()) ?? first;
  if (rest.length === 0) {
    target[key] = coerce(target[key], value);
    return;
  }
  const child = target[key];
  const next = typeof child === 'object' && child !== null && !Array.isArray(child) ? child : {};
  target[key] = next;
  applyOverride(next as Record<string, unknown>, rest, value);
}

function coerce(existing: unknown, value: string): unknown {
  if (typeof existing === 'number') return Number(value);
  if (typeof existing === 'boolean') return value.toLowerCase() === 'true';
  if (existing === undefined) {
    if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
    if (/^-?\d+$/.test(value)) return Number(value);
  }
  return value;
}

/** host.json `functionTimeout` in ms; `undefined` = unlimited (`-1`). */
export function functionTimeoutMs(hostJson: HostJson): number | undefined {
  const raw = hostJson.functionTimeout;
  if (raw === undefined || raw === null) return DEFAULT_FUNCTION_TIMEOUT_MS;
  if (String(raw).trim() === '-1') return undefined;
  const ms = parseTimeSpan(String(raw), 'host.json functionTimeout');
  if (ms < 1000) throw new Error(`host.json functionTimeout '${raw}' is below the minimum of 00:00:01`);
  return ms;
}

export function routePrefix(hostJson: HostJson): string {
  const prefix = hostJson.extensions?.http?.routePrefix;
  return (prefix ?? 'api').replace(/^\/+|\/+$/g, '');
}
