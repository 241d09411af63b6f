// Object identifiers: always `https://{host}/{collection}/{name}[/{version}]`.
import { randomBytes } from 'node:crypto';
import { hostnameOf } from './auth/challenge.js';
import type { RequestContext } from './context.js';

export function objectId(ctx: Pick<RequestContext, 'vaultUrl'>, collection: string, name: string, version?: string): string {
  return `${ctx.vaultUrl}/${collection}/${name}${version ? `/${version}` : ''}`;
}

/** A new 32-hex version string. */
export function newVersion(): string {
  return randomBytes(16).toString('hex');
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

/** Store key for a Host header: the host name (port ignored, so data survives a port change);
 * all loopback names share one vault. */
export function vaultKeyForHost(host: string): string {
  const hostname = hostnameOf(host);
  return LOOPBACK.has(hostname) ? 'localhost' : hostname;
}

/** First label of the host name: the vault name in messages. */
export function vaultNameForHost(host: string): string {
  const hostname = hostnameOf(host);
  return hostname.split('.')[0] || hostname;
}

/** Vault aliases (`--vaults main,payments`): lowercase letters, digits and hyphens, 1–24 characters. */
export const VAULT_ALIAS_PATTERN = /^[a-z0-9-]{1,24}$/;

/** Validates a list of vault aliases (non-empty, each matching VAULT_ALIAS_PATTERN, unique). */
export function validateVaultAliases(aliases: readonly string[]): string[] {
  if (aliases.length === 0) throw new Error('vaults: give at least one vault alias');
  const seen = new Set<string>();
  for (const alias of aliases) {
    if (!VAULT_ALIAS_PATTERN.test(alias)) throw new Error(`vaults: '${alias}' is not a valid alias (lowercase letters, digits and hyphens, 1–24 characters)`);
    if (seen.has(alias)) throw new Error(`vaults: alias '${alias}' is given twice`);
    seen.add(alias);
  }
  return [...aliases];
}

/** `main,payments` → ['main', 'payments'] (validated). */
export function parseVaultAliases(list: string): string[] {
  return validateVaultAliases(list.split(',').map((alias) => alias.trim()));
}

/** Store key of an additional vault (every vault after the first): by alias, so its data survives
 * a port change. `.invalid` is a reserved top-level domain, so no served host name maps to it. */
export function aliasVaultKey(alias: string): string {
  return `${alias}.invalid`;
}
