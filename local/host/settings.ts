// local.settings.json with Core Tools semantics and the AppSettings view the
// host, listeners and bindings read from.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AppSettings } from './contracts.js';

export interface LocalSettings {
  values: Record<string, string>;
  connectionStrings: Record<string, string>;
  localHttpPort?: number;
  cors?: string;
  corsCredentials: boolean;
}

interface LocalSettingsFile {
  IsEncrypted?: unknown;
  Values?: Record<string, unknown>;
  ConnectionStrings?: Record<string, unknown>;
  Host?: { LocalHttpPort?: unknown; CORS?: unknown; CORSCredentials?: unknown };
}

/** Reads `<appDir>/local.settings.json`; a missing file means no settings. */
export function readLocalSettings(appDir: string): LocalSettings {
  const file = path.join(appDir, 'local.settings.json');
  const empty: LocalSettings = { values: {}, connectionStrings: {}, corsCredentials: false };
  if (!existsSync(file)) return empty;
  let parsed: LocalSettingsFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as LocalSettingsFile;
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  // Core Tools treats a missing IsEncrypted as true; encrypted values are Windows DPAPI blobs.
  if (parsed.IsEncrypted !== false) {
    throw new Error(
      `${file}: "IsEncrypted" is ${parsed.IsEncrypted === undefined ? 'missing (which means true)' : String(parsed.IsEncrypted)}; ` +
        'the local host cannot decrypt values. Set "IsEncrypted": false and store plain values.',
    );
  }
  const port = parsed.Host?.LocalHttpPort;
  return {
    values: stringMap(parsed.Values),
    connectionStrings: stringMap(parsed.ConnectionStrings),
    ...(port !== undefined && port !== '' ? { localHttpPort: Number(port) } : {}),
    ...(typeof parsed.Host?.CORS === 'string' && parsed.Host.CORS !== '' ? { cors: parsed.Host.CORS } : {}),
    corsCredentials: parsed.Host?.CORSCredentials === true || parsed.Host?.CORSCredentials === 'true',
  };
}

function stringMap(source: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source ?? {})) {
    if (value !== null && value !== undefined) out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/**
 * The environment the app and the host see: `Values` fill in what the real environment leaves
 * unset or empty; `overrides` (the programmatic `env` option) win over both.
 */
export function buildEnvironment(
  values: Record<string, string>,
  baseEnv: NodeJS.ProcessEnv,
  overrides: Record<string, string>,
  warn: (message: string) => void,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(baseEnv)) if (value !== undefined) env[key] = value;
  for (const [key, value] of Object.entries(values)) {
    if (key in overrides) continue;
    if (env[key]) {
      warn(`Skipping '${key}' from local settings as it's already defined in current environment variables.`);
      continue;
    }
    env[key] = value;
  }
  return Object.assign(env, overrides);
}

export function createAppSettings(env: Record<string, string>, connectionStrings: Record<string, string>): AppSettings {
  const get = (name: string): string | undefined => {
    if (name.startsWith('ConnectionStrings:')) {
      const own = connectionStrings[name.slice('ConnectionStrings:'.length)];
      if (own !== undefined) return own;
    }
    // `:` and `__` are the same hierarchy separator in .NET configuration.
    return env[name] ?? env[name.replaceAll(':', '__')];
  };
  return {
    get,
    withPrefix(prefix) {
      const out: Record<string, string> = {};
      for (const [key, value] of Object.entries(env)) if (key.startsWith(prefix)) out[key] = value;
      return out;
    },
    resolve(text) {
      return text.replace(/%([^%]+)%/g, (_match, name: string) => {
        const value = get(name);
        if (value === undefined) throw new Error(`'%${name}%' does not resolve to a value: app setting '${name}' is not set`);
        return value;
      });
    },
  };
}
