// Built-in /admin endpoints: host ping and status, invoking non-HTTP functions.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionInfo, TriggerListener } from '../contracts.js';
import type { KeyAccess } from '../keys.js';
import type { ConsoleLogger } from '../logging.js';

export interface AdminDeps {
  functions: readonly FunctionInfo[];
  listeners: ReadonlyMap<string, TriggerListener>;
  logger: ConsoleLogger;
  startedAt: number;
  readBody(req: IncomingMessage): Promise<Buffer>;
}

export async function handleAdmin(deps: AdminDeps, req: IncomingMessage, res: ServerResponse, path: string, access: KeyAccess): Promise<void> {
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => s.toLowerCase());
  const method = req.method ?? 'GET';
  if (segments[1] === 'host' && segments[2] === 'ping' && segments.length === 3 && (method === 'GET' || method === 'POST')) {
    return end(res, 200);
  }
  if (access !== 'admin') return end(res, 401);
  if (segments[1] === 'host' && segments[2] === 'status' && segments.length === 3 && method === 'GET') {
    const body = JSON.stringify({
      id: 'local',
      state: 'Running',
      version: '4.0.0-local',
      versionDetails: 'local Functions host (Node)',
      processUptime: Math.round(performance.now() - deps.startedAt),
    });
    res.setHeader('content-type', 'application/json; charset=utf-8');
    return end(res, 200, body);
  }
  if (segments[1] === 'functions' && segments.length === 3 && method === 'POST') {
    // Same order as the real host's FunctionsController: no body → 400 before the name lookup.
    const input = parseInput(await deps.readBody(req));
    if (input === undefined) return end(res, 400);
    const name = decodeURIComponent(path.split('/').filter(Boolean)[2]!);
    const fn = deps.functions.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!fn) return end(res, 404);
    const listener = deps.listeners.get(fn.name);
    const invocation = listener ? listener.invokeFromAdmin(input) : Promise.reject(new Error(`'${fn.name}' has an HTTP trigger: call its route instead of the admin API`));
    invocation.catch((err: unknown) => {
      deps.logger.log('error', `Function.${fn.name}`, `Admin invocation failed: ${(err as Error).message}`);
    });
    return end(res, 202);
  }
  return end(res, 404);
}

/** `{"input": "..."}`; a missing or unreadable body is a 400 as in the real host. */
function parseInput(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { input?: unknown };
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const input = parsed.input;
    if (input === undefined || input === null) return '';
    return typeof input === 'string' ? input : JSON.stringify(input);
  } catch {
    return undefined;
  }
}

function end(res: ServerResponse, status: number, body?: string): void {
  res.statusCode = status;
  if (body === undefined) res.setHeader('content-length', '0');
  res.end(body);
}
