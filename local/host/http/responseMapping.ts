// Worker → host response data: status, flat header map, cookies, body bytes.
import type { ServerResponse } from 'node:http';
import type { RpcHttpData, TypedData } from '../contracts.js';

interface RpcCookie {
  name?: string;
  value?: string;
  domain?: { value?: string };
  path?: { value?: string };
  expires?: { value?: { seconds?: number | string; nanos?: number } };
  secure?: { value?: boolean };
  httpOnly?: { value?: boolean };
  sameSite?: string | number;
  maxAge?: { value?: number };
}

const NO_BODY_STATUS = new Set([204, 205, 304]);

export function writeRpcHttpResponse(res: ServerResponse, returnValue: TypedData | undefined): void {
  const http: RpcHttpData | undefined = returnValue?.http;
  if (!http) {
    res.statusCode = 200;
    res.setHeader('content-length', '0');
    res.end();
    return;
  }
  const status = Number(http.statusCode ?? 200);
  res.statusCode = Number.isInteger(status) && status >= 100 && status <= 999 ? status : 500;
  for (const [name, value] of Object.entries(http.headers ?? {})) {
    if (value !== undefined && value !== null) res.setHeader(name, String(value));
  }
  const cookies = (http.cookies ?? []).map((c) => toSetCookie(c as RpcCookie));
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  const body = NO_BODY_STATUS.has(res.statusCode) ? undefined : bodyBytes(http.body);
  if (body && body.length > 0) {
    res.setHeader('content-length', String(body.length));
    res.end(body);
  } else {
    if (!NO_BODY_STATUS.has(res.statusCode)) res.setHeader('content-length', '0');
    res.end();
  }
}

function bodyBytes(body: TypedData | undefined): Uint8Array | undefined {
  if (!body) return undefined;
  if (body.bytes) return body.bytes;
  if (body.stream) return body.stream;
  if (body.string !== undefined) return Buffer.from(body.string);
  if (body.json !== undefined) return Buffer.from(body.json);
  if (body.int !== undefined) return Buffer.from(String(body.int));
  if (body.double !== undefined) return Buffer.from(String(body.double));
  return undefined;
}

export function toSetCookie(cookie: RpcCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const seconds = cookie.expires?.value?.seconds;
  if (seconds !== undefined) parts.push(`Expires=${new Date(Number(seconds) * 1000).toUTCString()}`);
  if (cookie.maxAge?.value !== undefined) parts.push(`Max-Age=${Math.trunc(cookie.maxAge.value)}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  // 'none' means "write no SameSite attribute"; 'explicitNone' is SameSite=None.
  switch (typeof cookie.sameSite === 'string' ? cookie.sameSite.toLowerCase() : cookie.sameSite) {
    case 'lax':
    case 1:
      parts.push('SameSite=Lax');
      break;
    case 'strict':
    case 2:
      parts.push('SameSite=Strict');
      break;
    case 'explicitnone':
    case 3:
      parts.push('SameSite=None');
      break;
  }
  return parts.join('; ');
}
