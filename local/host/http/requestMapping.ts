// Host → worker request data in buffered mode.
import type { IncomingMessage } from 'node:http';
import type { RpcHttpData } from '../contracts.js';
import type { RouteParams } from './routeTemplate.js';

type NullableMap = Record<string, { value?: string }>;

export function toRpcHttpRequest(req: IncomingMessage, rawQuery: string, params: RouteParams, body: Buffer | undefined): RpcHttpData {
  const nullableHeaders: NullableMap = {};
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const existing = nullableHeaders[name];
    nullableHeaders[name] = { value: existing ? `${existing.value},${value}` : value };
  }

  const nullableQuery: NullableMap = {};
  if (rawQuery) {
    for (const [key, value] of new URLSearchParams(rawQuery)) {
      const existing = nullableQuery[key];
      nullableQuery[key] = { value: existing ? `${existing.value},${value}` : value };
    }
  }

  const nullableParams: NullableMap = {};
  for (const [key, value] of Object.entries(params)) nullableParams[key] = { value };

  const host = req.headers.host ?? 'localhost';
  const data: RpcHttpData = {
    method: req.method ?? 'GET',
    url: `http://${host}${req.url ?? '/'}`,
    nullableHeaders,
    nullableQuery,
    nullableParams,
  };
  if (body && body.length > 0) data.body = { bytes: body };
  return data;
}
