// Function and master keys, generated once per data dir and kept across restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../shared/atomicFile.js';
import { sameSecret } from '../shared/sameSecret.js';

export interface HostKeys {
  masterKey: string;
  /** Host-level function keys (valid for every function); the first is `default`. */
  functionKeys: Record<string, string>;
  /** Keys valid for one function only, by function name then key name. */
  perFunction: Record<string, Record<string, string>>;
}

export type KeyAccess = 'admin' | 'function' | 'none';

export function loadOrCreateKeys(dataDir: string): HostKeys {
  const file = path.join(dataDir, 'keys.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<HostKeys>;
    if (typeof stored.masterKey === 'string' && typeof stored.functionKeys?.['default'] === 'string') {
      return { masterKey: stored.masterKey, functionKeys: stored.functionKeys, perFunction: stored.perFunction ?? {} };
    }
    throw new Error(`${file} is malformed: expected "masterKey" and "functionKeys.default"`);
  }
  const keys: HostKeys = { masterKey: newKey(), functionKeys: { default: newKey() }, perFunction: {} };
  writeFileAtomicSync(file, JSON.stringify(keys, null, 2));
  return keys;
}

/** 40 random bytes, URL-safe base64 (Azure's keys are of similar length and alphabet). */
function newKey(): string {
  return randomBytes(40).toString('base64url');
}

export function keyAccess(keys: HostKeys, presented: string | undefined, functionName: string | undefined): KeyAccess {
  if (!presented) return 'none';
  if (sameSecret(presented, keys.masterKey)) return 'admin';
  if (Object.values(keys.functionKeys).some((k) => sameSecret(presented, k))) return 'function';
  const own = functionName ? keys.perFunction[functionName] : undefined;
  if (own && Object.values(own).some((k) => sameSecret(presented, k))) return 'function';
  return 'none';
}

/** `x-functions-key` wins; `?code=` counts only when the header is absent (a wrong header beats a right code). */
export function presentedKey(headerValue: string | string[] | undefined, code: string | null): string | undefined {
  if (headerValue !== undefined) return Array.isArray(headerValue) ? headerValue[0] : headerValue;
  return code ?? undefined;
}

/** Whether `access` satisfies a function's `authLevel` (anonymous, function, admin; system ≈ admin here). */
export function isAuthorized(authLevel: string | undefined, access: KeyAccess): boolean {
  switch ((authLevel ?? 'anonymous').toLowerCase()) {
    case 'anonymous':
      return true;
    case 'function':
      return access !== 'none';
    default:
      return access === 'admin';
  }
}
