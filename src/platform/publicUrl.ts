import type { AppConfig } from './config.js';

export type PublicUrlSettings = Pick<AppConfig, 'PUBLIC_BASE_URL' | 'WEBSITE_HOSTNAME' | 'KEYVAULT_LOCAL'>;

/**
 * Where every URL the API returns (Location, Operation-Location, nextLink, the OpenAPI server)
 * begins: PUBLIC_BASE_URL when set (a custom domain, a gateway), else the app's own host name,
 * WEBSITE_HOSTNAME, which App Service sets (https; plain http only on the local stack, whose host
 * sets it to `localhost:<port>` as Core Tools does). Never the request's Host or X-Forwarded-Host
 * header: the caller chooses those, and a link built from them could send the next request, with
 * its function key, anywhere. '' when neither is set: links are then relative (path and query).
 */
export function publicBaseUrl(settings: PublicUrlSettings): string {
  if (settings.PUBLIC_BASE_URL) return settings.PUBLIC_BASE_URL.replace(/\/+$/, '');
  if (settings.WEBSITE_HOSTNAME) return `${settings.KEYVAULT_LOCAL ? 'http' : 'https'}://${settings.WEBSITE_HOSTNAME}`;
  return '';
}

/** The request's path and query on the public base: only the path comes from the request. */
export function publicRequestUrl(requestUrl: string, base: string): string {
  const url = new URL(requestUrl);
  return `${base}${url.pathname}${url.search}`;
}
