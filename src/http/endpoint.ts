import type { HttpHandler, HttpRequest, InvocationContext } from '@azure/functions';
import type { RouteConfig, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { errorBodySchema } from '../platform/apiSchemas.js';
import { apiHandler } from '../platform/httpHandler.js';
import { checkPermission, type Permission } from '../platform/principal.js';
import { publicBaseUrl, publicRequestUrl } from '../platform/publicUrl.js';
import { queryObject, readJsonBody, validateInput } from '../platform/requestInput.js';
import { getServices, type Services } from '../services.js';

export interface EndpointInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  request: HttpRequest;
  context: InvocationContext;
  requestId: string;
  /** The app's services (built once per process). */
  services: Services;
  /** The API's root URL on the public base (e.g. `https://myapp.azurewebsites.net/api`), for links. */
  apiBase: string;
  /** This request's URL (path and query) on the public base, for links to further pages. */
  requestUrl: string;
}

export interface EndpointResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  headers?: Record<string, string>;
}

/**
 * What one HTTP operation of the API does: the schemas that validate its input (and type it) are
 * the ones the OpenAPI document is generated from. Its function file registers it with its route,
 * method and auth level.
 */
export interface Endpoint<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  summary: string;
  tag: string;
  /** `public` routes need no key and no role. */
  permission: Permission | 'public';
  params?: P;
  query?: Q;
  body?: { schema: B; required: boolean; maxBytes?: number; description?: string };
  /** Request headers the operation understands, for the document. */
  headers?: z.ZodObject;
  responses: Record<number, ResponseSpec>;
  handle(input: EndpointInput<z.infer<P>, z.infer<Q>, z.infer<B>>): Promise<EndpointResult>;
}

export function defineEndpoint<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(endpoint: Endpoint<P, Q, B>): Endpoint<P, Q, B> {
  return endpoint;
}

interface Binding {
  definition: Endpoint;
  /** The route it was registered with (set by `app.http`). */
  route?: string;
}

const bindings = new WeakMap<HttpHandler, Binding>();

/** The endpoint as a Functions HTTP handler; register it with `app.http` from `./app.js`. */
export function endpoint(definition: Endpoint): HttpHandler {
  const binding: Binding = { definition };
  const handler = apiHandler(async (request, context, requestId) => {
    const services = getServices();
    if (definition.permission !== 'public') checkPermission(request, definition.permission, services.config);
    const params = definition.params ? validateInput(definition.params, request.params, 'path') : {};
    const query = definition.query ? validateInput(definition.query, queryObject(request), 'query') : {};
    const body = definition.body ? await readJsonBody(request, definition.body.schema, { required: definition.body.required, maxBytes: definition.body.maxBytes }) : undefined;
    const publicBase = publicBaseUrl(services.config);
    const apiBase = apiBaseUrl(request, binding.route?.split('/')[0] ?? '', publicBase);
    const requestUrl = publicRequestUrl(request.url, publicBase);
    const result = await definition.handle({ params, query, body, request, context, requestId, services, apiBase, requestUrl });
    return result.body === undefined ? { status: result.status, headers: result.headers } : { status: result.status, jsonBody: result.body, headers: result.headers };
  });
  bindings.set(handler, binding);
  return handler;
}

/** The endpoint a handler was made from (if it was), now registered under `route`. */
export function bindRoute(handler: HttpHandler, route: string): Endpoint | undefined {
  const binding = bindings.get(handler);
  if (binding) binding.route = route;
  return binding?.definition;
}

/**
 * The API root, route prefix included: `publicBase` (see publicUrl.ts; never the Host header)
 * followed by the request's path up to where the route `routeRoot/…` begins.
 */
export function apiBaseUrl(request: HttpRequest, routeRoot: string, publicBase: string): string {
  const segments = new URL(request.url).pathname.split('/');
  const root = segments.indexOf(routeRoot);
  return `${publicBase}${(root < 0 ? segments : segments.slice(0, root)).join('/')}`;
}

const COMMON_ERRORS: Record<number, string> = {
  400: 'Invalid input; `error.target` names the field.',
  401: 'Missing or wrong function key, or no signed-in principal (AUTH_ROLES).',
  403: 'The caller lacks the role (or, for a purge, purge is not allowed), or the vault refused the operation.',
  429: 'Key Vault is throttling; retry after `Retry-After` seconds.',
  500: 'Unexpected failure; the body carries only a request id.',
  503: 'Key Vault or storage is unavailable; retry later.',
};

/** How an endpoint was registered as a function. */
export interface HttpRegistration {
  name: string;
  route: string;
  method: string;
  authLevel: 'anonymous' | 'function' | 'admin';
}

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
  return {
    method: registration.method.toLowerCase() as RouteConfig['method'],
    path: `/${registration.route}`,
    operationId: registration.name,
    summary: endpoint.summary,
    tags: [endpoint.tag],
    security: registration.authLevel === 'anonymous' ? [] : [{ functionKey: [] }],
    request: {
      ...(endpoint.params ? { params: endpoint.params as z.ZodObject } : {}),
      ...(endpoint.query ? { query: endpoint.query as z.ZodObject } : {}),
      ...(endpoint.headers ? { headers: endpoint.headers } : {}),
      ...(endpoint.body
        ? { body: { required: endpoint.body.required, description: endpoint.body.description, content: { 'application/json': { schema: endpoint.body.schema } } } }
        : {}),
    },
    responses,
  };
}
