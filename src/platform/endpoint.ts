import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import type { RouteConfig, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { getConfig } from './config.js';
import { errorBodySchema } from './apiSchemas.js';
import { apiHandler } from './httpHandler.js';
import { authorize, type Permission } from './principal.js';
import { queryObject, readJsonBody, validateInput } from './requestInput.js';

type Method = 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';

export interface EndpointInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  request: HttpRequest;
  context: InvocationContext;
  requestId: string;
  /** The API's root URL as the caller reached it (e.g. `http://localhost:7071/api`), for links. */
  apiBase: string;
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
 * One HTTP operation of the API: the schemas that validate its input (and type it) are the ones
 * the OpenAPI document is generated from.
 */
export interface Endpoint<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  functionName: string;
  method: Method;
  /** Route template without the `api/` prefix, e.g. `secrets/{name}`. */
  route: string;
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

export function defineEndpoint<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  endpoint: Endpoint<P, Q, B>,
): Endpoint<P, Q, B> {
  return endpoint;
}

/** Registers the endpoint as an HTTP function of the app. */
export function registerEndpoint(endpoint: Endpoint): void {
  app.http(endpoint.functionName, {
    route: endpoint.route,
    methods: [endpoint.method],
    authLevel: endpoint.permission === 'public' ? 'anonymous' : 'function',
    handler: apiHandler(async (request, context, requestId) => {
      if (endpoint.permission !== 'public' && getConfig().AUTH_ROLES) authorize(request, endpoint.permission);
      const params = endpoint.params ? validateInput(endpoint.params, request.params, 'path') : {};
      const query = endpoint.query ? validateInput(endpoint.query, queryObject(request), 'query') : {};
      const body = endpoint.body
        ? await readJsonBody(request, endpoint.body.schema, { required: endpoint.body.required, maxBytes: endpoint.body.maxBytes })
        : undefined;
      const apiBase = apiBaseUrl(request, endpoint.route.split('/')[0]!);
      const result = await endpoint.handle({ params, query, body, request, context, requestId, apiBase });
      return result.body === undefined
        ? { status: result.status, headers: result.headers }
        : { status: result.status, jsonBody: result.body, headers: result.headers };
    }),
  });
}

/** The request's URL up to where the route `routeRoot/…` begins: the API root, route prefix included. */
export function apiBaseUrl(request: HttpRequest, routeRoot: string): string {
  const url = new URL(request.url);
  const segments = url.pathname.split('/');
  const root = segments.indexOf(routeRoot);
  return `${url.origin}${(root < 0 ? segments : segments.slice(0, root)).join('/')}`;
}

const COMMON_ERRORS: Record<number, string> = {
  400: 'Invalid input; `error.target` names the field.',
  401: 'Missing or wrong function key, or no signed-in principal (AUTH_ROLES).',
  403: 'The caller lacks the role, or the vault refused the operation.',
  429: 'Key Vault is throttling; retry after `Retry-After` seconds.',
  500: 'Unexpected failure; the body carries only a request id.',
  503: 'Key Vault or storage is unavailable; retry later.',
};

/** The endpoint as an OpenAPI operation. */
export function openApiRoute(endpoint: Endpoint): RouteConfig {
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
    method: endpoint.method.toLowerCase() as RouteConfig['method'],
    path: `/${endpoint.route}`,
    operationId: endpoint.functionName,
    summary: endpoint.summary,
    tags: [endpoint.tag],
    security: endpoint.permission === 'public' ? [] : [{ functionKey: [] }],
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
