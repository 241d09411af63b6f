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
