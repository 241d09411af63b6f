// The HTTPS front: fastify wiring of the pipeline every Key Vault request goes through.
//
//   onRequest:  request id → (admin routes: admin token) → 401 challenge / JWT → faults
//               (a request is an admin one when the route it matched is, whatever its spelling)
//   route:      api-version → name/version params → RBAC data action → handler
//   errors:     KeyVaultError → its status/code; framework 4xx → 400 BadParameter; else 500
//
// Authentication runs in onRequest, i.e. before the body is read or the route validated, so the
// SDK's body-less first request always gets its 401: the SDK's challenge-based authentication
// sends its first request without a token and without its body.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Principal, TokenVerifier } from './auth/jwt.js';
import type { RoleAssignments } from './auth/roles.js';
import type { EmulatorSettings, HandlerResult, Operation, RequestContext, VaultPolicy } from './context.js';
import type { CallCounters } from './counters.js';
import { sameSecret } from '../shared/sameSecret.js';
import { errors, KeyVaultError } from './errors.js';
import { DROP, type FaultInjector } from './faults.js';
import { vaultKeyForHost, vaultNameForHost } from './ids.js';
import { API_VERSIONS, REQUEST_BODY_MAX_BYTES } from './limits.js';
import type { VaultStore } from './store/types.js';
import { validateName, validateVersion } from './validation.js';

export const ADMIN_PREFIX = '/_emulator';
export const ADMIN_TOKEN_HEADER = 'x-emulator-admin-token';
/** Sent as x-ms-keyvault-service-version (the SDK only logs it). */
const SERVICE_VERSION = '1.9.0.0-emulator';

export interface KeyVaultServerOptions {
  tls: { key: string; cert: string };
  store: VaultStore;
  verifier: TokenVerifier;
  roles: RoleAssignments;
  policy: VaultPolicy;
  settings: EmulatorSettings;
  faults: FaultInjector;
  counters: CallCounters;
  operations: readonly Operation[];
  /** The vault this listener serves. `key` fixes the store key (otherwise derived from the Host
   * header, see vaultKeyForHost); `name` fixes the vault name used by RBAC and in messages
   * (otherwise the first label of the host). */
  vault?: { key?: string; name?: string };
  /** Registers the /_emulator routes (see admin/routes.ts). */
  registerAdmin: (app: FastifyInstance) => void;
  /** When set, admin routes require header `x-emulator-admin-token: <token>`. */
  adminToken?: string;
  /** Called for every unexpected (500) error; never receives request bodies. */
  onInternalError?: (error: unknown, requestId: string) => void;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    operation?: string;
    /** Set on /_emulator routes (admin/routes.ts): guarded by the admin token, not Key Vault auth. */
    admin?: boolean;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Decided by the matched route: the router matches paths case-insensitively, so a prefix test
 * on the raw URL would let `/_EMULATOR/...` through without the admin token. */
function isAdmin(request: FastifyRequest): boolean {
  return request.routeOptions.config?.admin === true;
}

function operationName(request: FastifyRequest): string {
  return request.routeOptions.config?.operation ?? 'unknown';
}

function send(reply: FastifyReply, status: number, body: object | undefined, headers: Record<string, string> = {}): FastifyReply {
  reply.code(status).headers(headers);
  if (status === 204 || body === undefined) return reply.send();
  return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}

function vaultFor(options: KeyVaultServerOptions, host: string): { key: string; name: string } {
  return { key: options.vault?.key ?? vaultKeyForHost(host), name: options.vault?.name ?? vaultNameForHost(host) };
}

export function buildKeyVaultServer(options: KeyVaultServerOptions): FastifyInstance {
  const app = Fastify({
    https: { key: options.tls.key, cert: options.tls.cert },
    logger: false,
    bodyLimit: REQUEST_BODY_MAX_BYTES,
    forceCloseConnections: true,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Undecodable URLs and other errors raised before routing: still the Key Vault error shape.
    // The 401 challenge still comes first for unauthenticated callers.
    frameworkErrors: (_error, request, reply) => {
      reply.header('x-ms-request-id', request.id).header('x-ms-keyvault-region', 'local');
      const badRequest = errors.badParameter('The request URI is invalid.');
      // No route matched yet, so this is never an admin request: Key Vault auth comes first.
      options.verifier.verify(header(request, 'authorization'), header(request, 'host') ?? 'localhost').then(
        () => send(reply, 400, badRequest.toBody()),
        (error: unknown) => {
          const failure = error instanceof KeyVaultError ? error : badRequest;
          send(reply, failure.status, failure.toBody(), failure.headers);
        },
      );
    },
    routerOptions: {
      caseSensitive: false,
      maxParamLength: 2048,
      // Decode keys too: the SDK sends `api%2Dversion`.
      querystringParser: (query: string) => Object.fromEntries(new URLSearchParams(query)),
    },
  });

  // Bodies are kept raw; handlers parse JSON lazily (after auth) so garbage becomes a 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-ms-request-id', request.id).header('x-ms-keyvault-region', 'local').header('x-ms-keyvault-service-version', SERVICE_VERSION);
    const clientRequestId = header(request, 'x-ms-client-request-id');
    if (clientRequestId) reply.header('x-ms-client-request-id', clientRequestId);
    if (isAdmin(request)) {
      if (options.adminToken !== undefined && !sameSecret(header(request, ADMIN_TOKEN_HEADER), options.adminToken)) {
        throw errors.adminTokenRequired(ADMIN_TOKEN_HEADER);
      }
      return;
    }
    const host = header(request, 'host') ?? 'localhost';
    request.principal = await options.verifier.verify(header(request, 'authorization'), host);
    const fault = await options.faults.apply(vaultFor(options, host).key, operationName(request));
    if (fault === DROP) {
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    if (fault) throw fault;
  });

  // Counted when the reply is produced, not when it is delivered: a request whose client died
  // (say, a killed Functions host) was still carried out and must be counted.
  app.addHook('onSend', async (request, reply) => {
    if (!isAdmin(request)) options.counters.record(operationName(request), reply.statusCode, header(request, 'traceparent'));
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof KeyVaultError) return send(reply, error.status, error.toBody(), error.headers);
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return send(reply, 400, errors.badParameter('The request is invalid.').toBody());
    }
    options.onInternalError?.(error, request.id);
    return send(reply, 500, errors.internal(request.id).toBody());
  });

  app.setNotFoundHandler((request) => {
    throw errors.unknownRoute(request.method);
  });

  for (const operation of options.operations) {
    app.route({
      method: operation.method,
      url: operation.path,
      config: { operation: operation.name },
      handler: async (request, reply) => {
        const result = await runOperation(options, operation, request);
        return send(reply, result.status ?? operation.status, result.body, result.headers);
      },
    });
  }

  options.registerAdmin(app);
  return app;
}

async function runOperation(options: KeyVaultServerOptions, operation: Operation, request: FastifyRequest): Promise<HandlerResult> {
  const query = (request.query ?? {}) as Record<string, string>;
  const apiVersion = query['api-version'];
  if (!apiVersion) throw errors.missingApiVersion();
  if (!API_VERSIONS.includes(apiVersion)) throw errors.unsupportedApiVersion(apiVersion, API_VERSIONS.at(-1)!);

  const params = { ...((request.params ?? {}) as Record<string, string>) };
  if (params['name'] !== undefined) validateName(params['name']);
  if (params['version'] !== undefined) params['version'] = validateVersion(params['version'], request.method);

  const host = header(request, 'host') ?? 'localhost';
  const principal = request.principal!;
  const { key: vault, name: vaultName } = vaultFor(options, host);
  if (!options.roles.isAllowed(principal, operation.action, vaultName)) {
    // The resource is the object for operations on one, the vault itself for listings.
    const collection = operation.path.split('/')[1] ?? '';
    throw errors.forbiddenByRbac({
      caller: `appid=${principal.appId};oid=${principal.objectId};iss=${principal.issuer}`,
      action: operation.action,
      resource:
        `/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/local/providers/microsoft.keyvault/vaults/${vaultName}` +
        (params['name'] ? `/${collection}/${params['name']}` : ''),
      vault: vaultName,
    });
  }

  let parsed: { value: unknown } | undefined;
  const ctx: RequestContext = {
    requestId: request.id,
    operation: operation.name,
    method: request.method,
    host,
    vaultUrl: `https://${host}`,
    vault,
    vaultName,
    params,
    query,
    apiVersion,
    principal,
    store: options.store,
    policy: options.policy,
    settings: options.settings,
    now: () => Math.floor(Date.now() / 1000),
    body: () => {
      if (!parsed) {
        const raw = request.body;
        const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
        if (text.trim() === '') parsed = { value: {} };
        else {
          try {
            parsed = { value: JSON.parse(text) as unknown };
          } catch {
            throw errors.malformedBody();
          }
        }
      }
      return parsed.value;
    },
  };
  return operation.handler(ctx);
}
