// Local managed-identity endpoint speaking the App Service protocol that @azure/identity's
// ManagedIdentityCredential (via msal-node's AppService source) uses:
//   GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=<r>[&client_id|object_id|mi_res_id=<id>]
//   header X-IDENTITY-HEADER: {IDENTITY_HEADER}
// → 200 {access_token, expires_on (unix seconds, as a string), resource, token_type, client_id}
// Public keys: GET /.well-known/jwks (also /.well-known/openid-configuration).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';
import { sameSecret } from '../shared/sameSecret.js';
import { IdentityStateStore } from './state.js';
import { issuerFor, TokenSigner, type TokenSubject } from './tokens.js';

export { issuerFor, publicJwks } from './tokens.js';

export const SYSTEM_ASSIGNED = 'system';
export const APP_SERVICE_API_VERSION = '2019-08-01';
export const IDENTITY_HEADER_NAME = 'x-identity-header';
const SUBSCRIPTION = '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/local/providers';

export interface IdentityPrincipal extends TokenSubject {
  /** `system` for the system-assigned identity, else the user-assigned identity's name. */
  name: string;
  kind: 'SystemAssigned' | 'UserAssigned';
}

export interface UserAssignedIdentityOptions {
  name: string;
  /** Fixed ids; generated once (and persisted with dataDir) when absent. */
  clientId?: string;
  objectId?: string;
}

export interface IdentityEndpointOptions {
  /** 0 (default) = any free port. */
  port?: number;
  /** Bind address; default 127.0.0.1. */
  host?: string;
  /** Where the signing key, tenant and ids persist; in memory when absent. */
  dataDir?: string;
  tenantId?: string;
  /** Value of IDENTITY_HEADER; random per start when absent. */
  identityHeader?: string;
  /** Site name used in the system-assigned identity's resource id. */
  siteName?: string;
  /** false disables the system-assigned identity. */
  systemAssigned?: boolean | { clientId?: string; objectId?: string };
  userAssigned?: UserAssignedIdentityOptions[];
  /** Token lifetime; default 24 h like App Service tokens. */
  tokenLifetimeSeconds?: number;
}

export interface RunningIdentityEndpoint {
  /** IDENTITY_ENDPOINT value: http://127.0.0.1:<port>/msi/token */
  endpoint: string;
  /** IDENTITY_HEADER value. */
  identityHeader: string;
  port: number;
  tenantId: string;
  issuer: string;
  principals: IdentityPrincipal[];
  /** Public keys (for verifiers in-process). */
  jwks: JSONWebKeySet;
  jwksUrl: string;
  /** Env vars a client process needs for ManagedIdentityCredential. */
  env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  /** Signs a token directly (tests): principal name or object id, any resource, custom times. */
  issueToken(principal: string, resource: string, options?: { issuedAt?: number; lifetimeSeconds?: number }): Promise<string>;
  stop(): Promise<void>;
}

interface TokenErrorBody {
  error: string;
  error_description: string;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function tokenError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description } satisfies TokenErrorBody);
}

/** Listens on `port`, failing with a message that names the port when it is taken. */
export function listenOn(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`${what}: port ${port} on ${host} is already in use. Choose another port (or 0 for any free port).`) : error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startIdentityEndpoint(options: IdentityEndpointOptions = {}): Promise<RunningIdentityEndpoint> {
  const stateStore = await IdentityStateStore.open(options.dataDir, options.tenantId);
  const { state } = stateStore;
  const tenantId = state.tenantId;
  const siteName = options.siteName ?? 'local-functions-app';
  const lifetime = options.tokenLifetimeSeconds ?? 24 * 60 * 60;
  const identityHeader = options.identityHeader ?? randomBytes(24).toString('base64url');

  const principals: IdentityPrincipal[] = [];
  if (options.systemAssigned !== false) {
    const fixed = typeof options.systemAssigned === 'object' ? options.systemAssigned : {};
    principals.push({
      name: SYSTEM_ASSIGNED,
      kind: 'SystemAssigned',
      clientId: fixed.clientId ?? state.systemAssigned.clientId,
      objectId: fixed.objectId ?? state.systemAssigned.objectId,
      resourceId: `${SUBSCRIPTION}/Microsoft.Web/sites/${siteName}`,
    });
  }
  for (const identity of options.userAssigned ?? []) {
    const ids = identity.clientId && identity.objectId ? identity : { ...(await stateStore.idsFor(identity.name)), ...identity };
    principals.push({
      name: identity.name,
      kind: 'UserAssigned',
      clientId: ids.clientId!,
      objectId: ids.objectId!,
      resourceId: `${SUBSCRIPTION}/Microsoft.ManagedIdentity/userAssignedIdentities/${identity.name}`,
    });
  }

  const signer = new TokenSigner(state.signingKey);
  const issuer = issuerFor(tenantId);

  const select = (query: URLSearchParams): IdentityPrincipal | undefined => {
    const eq = (a: string, b: string | null) => b !== null && a.toLowerCase() === b.toLowerCase();
    const clientId = query.get('client_id') ?? query.get('clientid');
    const objectId = query.get('object_id') ?? query.get('principal_id');
    const resourceId = query.get('mi_res_id') ?? query.get('msi_res_id');
    if (clientId !== null) return principals.find((p) => eq(p.clientId, clientId));
    if (objectId !== null) return principals.find((p) => eq(p.objectId, objectId));
    if (resourceId !== null) return principals.find((p) => eq(p.resourceId, resourceId));
    return principals.find((p) => p.kind === 'SystemAssigned');
  };

  let baseUrl = '';
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/.well-known/jwks') return sendJson(res, 200, signer.jwks);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return sendJson(res, 200, { issuer, jwks_uri: `${baseUrl}/.well-known/jwks`, id_token_signing_alg_values_supported: ['RS256'] });
    }
    if (url.pathname !== '/msi/token' && url.pathname !== '/msi/token/') return tokenError(res, 404, 'not_found', 'Unknown path.');
    if (req.method !== 'GET') return tokenError(res, 405, 'invalid_request', 'Only GET is supported.');
    const presented = req.headers[IDENTITY_HEADER_NAME];
    const header = Array.isArray(presented) ? presented[0] : presented;
    if (header === undefined) return tokenError(res, 400, 'invalid_request', 'Required metadata header X-IDENTITY-HEADER not specified.');
    if (!sameSecret(header, identityHeader)) return tokenError(res, 401, 'unauthorized_client', 'The X-IDENTITY-HEADER value is not valid.');
    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion !== APP_SERVICE_API_VERSION) {
      return tokenError(res, 400, 'invalid_request', `api-version '${apiVersion ?? ''}' is not supported; use ${APP_SERVICE_API_VERSION}.`);
    }
    const resource = url.searchParams.get('resource');
    if (!resource) return tokenError(res, 400, 'invalid_request', "Required query variable 'resource' is missing.");
    const principal = select(url.searchParams);
    if (!principal) {
      return tokenError(res, 400, 'invalid_request', 'No managed identity found for the specified client_id, object_id or mi_res_id.');
    }
    const { token, expiresOn } = await signer.sign({ subject: principal, tenantId, resource, lifetimeSeconds: lifetime });
    sendJson(res, 200, {
      access_token: token,
      expires_on: String(expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: principal.clientId,
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) tokenError(res, 500, 'server_error', 'Token issuance failed.');
    });
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listenOn(server, options.port ?? 0, host, 'Identity endpoint');
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const endpoint = `${baseUrl}/msi/token`;

  return {
    endpoint,
    identityHeader,
    port,
    tenantId,
    issuer,
    principals: principals.map((p) => ({ ...p })),
    jwks: signer.jwks,
    jwksUrl: `${baseUrl}/.well-known/jwks`,
    env: { IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: identityHeader },
    issueToken: async (who, resource, tokenOptions = {}) => {
      const principal = principals.find((p) => p.name === who || p.objectId === who);
      if (!principal) throw new Error(`Unknown identity ${who}`);
      const { token } = await signer.sign({
        subject: principal,
        tenantId,
        resource,
        issuedAt: tokenOptions.issuedAt,
        lifetimeSeconds: tokenOptions.lifetimeSeconds ?? lifetime,
      });
      return token;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
