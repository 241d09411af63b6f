// The host's HTTP front end: CORS, /admin, routing, key checks, body limit, and the trip through
// the worker (request and response mapping).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AppSettings, Invoke } from '../contracts.js';
import { isAuthorized, keyAccess, presentedKey, type HostKeys } from '../keys.js';
import type { ConsoleLogger } from '../logging.js';
import { handleAdmin, type AdminDeps } from './admin.js';
import type { CorsPolicy } from './cors.js';
import { LANDING_PAGE } from './landingPage.js';
import { toRpcHttpRequest } from './requestMapping.js';
import { writeRpcHttpResponse } from './responseMapping.js';
import type { HttpRouter } from './router.js';

export const DEFAULT_BODY_LIMIT = 104_857_600;
const HTTP_REASON = 'This function was programmatically called via the host APIs.';

export interface HttpFrontEnd {
  router: HttpRouter;
  keys: HostKeys;
  invoke: Invoke;
  settings: AppSettings;
  logger: ConsoleLogger;
  cors: CorsPolicy | undefined;
  bodyLimit: number;
  disabled: ReadonlySet<string>;
  admin: Omit<AdminDeps, 'readBody'>;
  /** True once shutdown began: answers carry `Connection: close`. */
  isStopping(): boolean;
}

class BodyTooLarge extends Error {}

/** A server whose handler waits for `frontEnd` (the app is indexed after the port is bound). */
export function createHostServer(frontEnd: Promise<HttpFrontEnd>): Server {
  const server = createServer((req, res) => {
    frontEnd.then(
      (fe) => handle(fe, req, res).catch((err: unknown) => fail(fe, res, err)),
      () => end(res, 503),
    );
  });
  server.keepAliveTimeout = 5000;
  return server;
}

async function handle(fe: HttpFrontEnd, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (fe.isStopping()) res.setHeader('connection', 'close');
  if (fe.cors?.apply(req, res)) return;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const method = req.method ?? 'GET';
  const readKey = (fnName?: string) => keyAccess(fe.keys, presentedKey(req.headers['x-functions-key'], codeParam(req, rawQuery)), fnName);

  const lowerPath = path.toLowerCase();
  if (lowerPath === '/admin' || lowerPath.startsWith('/admin/')) {
    const readBody = (r: IncomingMessage) => readRequestBody(r, fe.bodyLimit);
    return handleAdmin({ ...fe.admin, readBody }, req, res, path, readKey());
  }

  const match = fe.router.match(method, path);
  if (!match) {
    if (path === '/' && (method === 'GET' || method === 'HEAD')) return landingPage(fe, res);
    return end(res, 404);
  }
  const { route, params } = match;
  const access = readKey(route.fn.name);
  if (fe.disabled.has(route.fn.name) && access !== 'admin') return end(res, 404);
  if (!isAuthorized(route.authLevel, access)) return end(res, 401);

  let body: Buffer | undefined;
  try {
    body = hasBody(req) ? await readRequestBody(req, fe.bodyLimit) : undefined;
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      res.setHeader('connection', 'close');
      return end(res, 413);
    }
    throw err;
  }
  const result = await fe.invoke({
    functionName: route.fn.name,
    reason: HTTP_REASON,
    inputData: [{ name: route.fn.triggerKey, data: { http: toRpcHttpRequest(req, rawQuery, params, body) } }],
  });
  if (!result.succeeded) return end(res, 500);
  writeRpcHttpResponse(res, result.returnValue);
}

function codeParam(req: IncomingMessage, rawQuery: string): string | null {
  if (req.headers['x-functions-key'] !== undefined || !rawQuery.includes('code=')) return null;
  return new URLSearchParams(rawQuery).get('code');
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function landingPage(fe: HttpFrontEnd, res: ServerResponse): void {
  if (/^(true|1)$/i.test(fe.settings.get('AzureWebJobsDisableHomepage') ?? '')) return end(res, 204);
  res.statusCode = 200;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(LANDING_PAGE);
}

function fail(fe: HttpFrontEnd, res: ServerResponse, err: unknown): void {
  fe.logger.log('error', 'Host.General', `Unhandled error while serving a request: ${(err as Error).stack ?? String(err)}`);
  if (!res.headersSent) end(res, 500);
  else res.destroy();
}

function end(res: ServerResponse, status: number): void {
  res.statusCode = status;
  res.setHeader('content-length', '0');
  res.end();
}

/** Binds `port` (0 = any free one) on `address`; a busy port fails at once naming it. */
export function listen(server: Server, port: number, address: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new Error(`Port ${port} is unavailable. Close the process using that port, or specify another port using --port.`) : err);
    };
    server.once('error', onError);
    server.listen(port, address, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
