// The 401 challenge: `WWW-Authenticate` with comma+space separated pairs and
// a `resource` equal to the request host minus its first label, so the SDK's challenge-resource
// verification passes for names like `myvault.vault.azure.net`.
import { isIP } from 'node:net';

/** Hostname of a Host header value, without port or IPv6 brackets, lower-cased. */
export function hostnameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(1, trimmed.indexOf(']') > 0 ? trimmed.indexOf(']') : undefined);
  const colon = trimmed.lastIndexOf(':');
  return colon >= 0 && trimmed.indexOf(':') === colon ? trimmed.slice(0, colon) : trimmed;
}

/** Default resource for hosts with no parent domain (localhost, IPs): the real Key Vault one. */
export const DEFAULT_RESOURCE = 'https://vault.azure.net';

/** `https://` + hostname minus its first label; the real Key Vault resource for dot-less hosts and IPs. */
export function challengeResource(host: string, override?: string): string {
  if (override) return override;
  const hostname = hostnameOf(host);
  if (isIP(hostname) !== 0) return DEFAULT_RESOURCE;
  const dot = hostname.indexOf('.');
  if (dot < 0 || dot === hostname.length - 1) return DEFAULT_RESOURCE;
  return `https://${hostname.slice(dot + 1)}`;
}

export function challengeHeaders(host: string, tenantId: string, resourceOverride?: string): Record<string, string> {
  const resource = challengeResource(host, resourceOverride);
  return {
    'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="${resource}"`,
  };
}
