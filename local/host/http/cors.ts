// CORS from local.settings.json Host.CORS / Host.CORSCredentials: listed origins
// may use any method and header; preflights are answered before routing.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CorsPolicy {
  /** Sets the CORS response headers; returns true when the request was a preflight and is answered. */
  apply(req: IncomingMessage, res: ServerResponse): boolean;
}

export function createCorsPolicy(origins: string | undefined, credentials: boolean): CorsPolicy | undefined {
  if (!origins) return undefined;
  const list = origins
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, '').toLowerCase())
    .filter(Boolean);
  const any = list.includes('*');
  return {
    apply(req, res) {
      const origin = req.headers.origin;
      if (!origin || !(any || list.includes(origin.toLowerCase()))) return false;
      res.setHeader('access-control-allow-origin', any && !credentials ? '*' : origin);
      res.setHeader('vary', 'Origin');
      if (credentials) res.setHeader('access-control-allow-credentials', 'true');
      const requestedMethod = req.headers['access-control-request-method'];
      if (req.method !== 'OPTIONS' || !requestedMethod) return false;
      res.setHeader('access-control-allow-methods', requestedMethod);
      const requestedHeaders = req.headers['access-control-request-headers'];
      if (requestedHeaders) res.setHeader('access-control-allow-headers', requestedHeaders);
      res.statusCode = 204;
      res.end();
      return true;
    },
  };
}
