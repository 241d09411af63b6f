import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { loadRegisteredEndpoints } from '../http/app.js';
import { VAULT_PARAM, type Endpoint, type HttpRegistration } from '../http/endpoint.js';
import { errorBodySchema } from '../platform/apiSchemas.js';
import { lazy } from '../platform/once.js';

type OpenAPIObject = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/**
 * The OpenAPI 3.1 document of the functions the app registered, generated from the same schemas
 * that validate requests. Built on first request, when every function file has been loaded.
 */
export async function openApiDocument(serverUrl: string): Promise<OpenAPIObject> {
  return { ...(await document()), servers: [{ url: serverUrl }] };
}

const document = lazy(generate);

async function generate(): Promise<OpenAPIObject> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'functionKey', {
    type: 'apiKey',
    in: 'header',
    name: 'x-functions-key',
    description: 'A function key (or the master key); `?code=` in the query works too.',
  });
  for (const { endpoint, ...registration } of await loadRegisteredEndpoints()) registry.registerPath(openApiRoute(endpoint, registration));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Key Vault Functions API',
      version: '1.0.0',
      description:
        'Manage Azure Key Vault secrets and certificates through an Azure Functions app using its managed identity. ' +
        'Errors are `{"error":{"code","message","target?"}}` with the code also in `x-ms-error-code`.',
    },
  });
}

const COMMON_ERRORS: Record<number, string> = {
  400: 'Invalid input; `error.target` names the field.',
  401: 'Missing or wrong function key, or no signed-in principal (AUTH_ROLES).',
  403: 'The caller lacks the role (or, for a purge, purge is not allowed), or the vault refused the operation.',
  429: 'Key Vault is throttling; retry after `Retry-After` seconds.',
  500: 'Unexpected failure; the body carries only a request id.',
  503: 'Key Vault or storage is unavailable; retry later.',
};

/** The endpoint as an OpenAPI operation, as it was registered. */
export function openApiRoute(endpoint: Endpoint, registration: HttpRegistration): RouteConfig {
  const responses: Record<string, ResponseConfig> = {};
  for (const [status, spec] of Object.entries(endpoint.responses)) {
    responses[status] = {
      description: spec.description,
      ...(spec.schema ? { content: { 'application/json': { schema: spec.schema } } } : {}),
      ...(spec.headers ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) } : {}),
    };
  }
  const errorStatuses = endpoint.permission === 'public' ? [500] : Object.keys(COMMON_ERRORS).map(Number);
  for (const status of errorStatuses) {
    responses[status] ??= { description: COMMON_ERRORS[status]!, content: { 'application/json': { schema: errorBodySchema } } };
  }
  const inVault = registration.route.startsWith(`vaults/{${VAULT_PARAM}}/`);
  if (inVault) responses[404] ??= { description: 'No such vault (`VaultNotFound`), or no such object.', content: { 'application/json': { schema: errorBodySchema } } };
  const params = inVault
    ? z.object({ [VAULT_PARAM]: z.string().meta({ description: 'The vault alias (KEYVAULTS).' }), ...((endpoint.params as z.ZodObject | undefined)?.shape ?? {}) })
    : (endpoint.params as z.ZodObject | undefined);
  return {
    method: registration.method.toLowerCase() as RouteConfig['method'],
    path: `/${registration.route}`,
    operationId: registration.name,
    summary: endpoint.summary,
    tags: [endpoint.tag],
    security: registration.authLevel === 'anonymous' ? [] : [{ functionKey: [] }],
    request: {
      ...(params ? { params } : {}),
      ...(endpoint.query ? { query: endpoint.query as z.ZodObject } : {}),
      ...(endpoint.headers ? { headers: endpoint.headers } : {}),
      ...(endpoint.body
        ? { body: { required: endpoint.body.required, description: endpoint.body.description, content: { 'application/json': { schema: endpoint.body.schema } } } }
        : {}),
    },
    responses,
  };
}
