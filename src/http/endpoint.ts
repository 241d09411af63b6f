import type { HttpHandler, HttpRequest, InvocationContext } from '@azure/functions';
import type * as z from 'zod';
import { apiHandler } from '../platform/httpHandler.js';
import { lazy } from '../platform/once.js';
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

/** How an endpoint was registered as a function. */
export interface HttpRegistration {
  name: string;
  route: string;
  method: string;
  authLevel: 'anonymous' | 'function' | 'admin';
}

interface Binding {
  /** The definition, its module (schemas and handler) imported on first use. */
  load: () => Promise<Endpoint>;
  /** How it was registered (set by `app.http`). */
  registration?: HttpRegistration;
}

const bindings = new WeakMap<HttpHandler, Binding>();

/** The route parameter of `/api/vaults/{vault}/…` (see `app.vaultHttp`). */
export const VAULT_PARAM = 'vault';

/**
 * The endpoint `load` resolves to, as a Functions HTTP handler; register it with `app.http` from
 * `./app.js`. Its module is imported on the first request (or when the OpenAPI document is
 * built), so registering every function at start-up builds no schema and loads no handler code.
 */
export function endpoint(load: () => Promise<Endpoint>): HttpHandler {
  const binding: Binding = { load: lazy(async () => checkedAgainst(binding.registration, await load())) };
  const handler = apiHandler(async (request, context, requestId) => {
    const definition = await binding.load();
    // `/api/vaults/{vault}/…` addresses a vault of KEYVAULTS; the other routes the default vault.
    const vault = request.params[VAULT_PARAM];
    const services = () => (vault === undefined ? getServices() : getServices().inVault(vault));
    if (definition.permission !== 'public') checkPermission(request, definition.permission, services().config);
    const params = definition.params ? validateInput(definition.params, request.params, 'path') : {};
    const query = definition.query ? validateInput(definition.query, queryObject(request), 'query') : {};
    const body = definition.body ? await readJsonBody(request, definition.body.schema, { required: definition.body.required, maxBytes: definition.body.maxBytes }) : undefined;
    const route = binding.registration?.route ?? '';
    // Getters: an endpoint that uses neither services nor links (liveness) answers even when the
    // app settings are invalid; every other one fails with ConfigurationInvalid.
    const result = await definition.handle({
      params,
      query,
      body,
      request,
      context,
      requestId,
      get services() {
        return services();
      },
      get apiBase() {
        return apiBaseUrl(request, route, publicBaseUrl(getServices().config));
      },
      get requestUrl() {
        return publicRequestUrl(request.url, publicBaseUrl(getServices().config));
      },
    });
    return result.body === undefined ? { status: result.status, headers: result.headers } : { status: result.status, jsonBody: result.body, headers: result.headers };
  });
  bindings.set(handler, binding);
  return handler;
}

/** Records how the handler's endpoint was registered; its loader, if the handler was made by `endpoint()`. */
export function bindRegistration(handler: HttpHandler, registration: HttpRegistration): (() => Promise<Endpoint>) | undefined {
  const binding = bindings.get(handler);
  if (!binding) return undefined;
  binding.registration = registration;
  return binding.load;
}

/**
 * `definition`, once it is known to fit its registration: a public endpoint is anonymous and a
 * keyed one is not, and the route's parameters are the ones its schema validates.
 */
export function checkedAgainst(registration: HttpRegistration | undefined, definition: Endpoint): Endpoint {
  if (!registration) return definition;
  const { name, route, authLevel } = registration;
  if ((definition.permission === 'public') !== (authLevel === 'anonymous')) {
    throw new Error(`Function ${name}: permission '${definition.permission}' does not fit authLevel '${authLevel}'`);
  }
  const routeParams = [...route.matchAll(/\{(\w+)[^}]*\}/g)].map((match) => match[1]).sort();
  const schemaParams = Object.keys((definition.params as { shape?: object } | undefined)?.shape ?? {}).sort();
  if (routeParams.join() !== schemaParams.join()) {
    throw new Error(`Function ${name}: route parameters ${routeParams.join()} do not match its schema's ${schemaParams.join()}`);
  }
  return definition;
}

/**
 * The API root, route prefix included: `publicBase` (see publicUrl.ts; never the Host header)
 * followed by the request's path without the segments of the `route` it matched (so
 * `/api/vaults/payments/secrets/x` with route `secrets/{name}` gives `…/api/vaults/payments`).
 */
export function apiBaseUrl(request: HttpRequest, route: string, publicBase: string): string {
  const segments = new URL(request.url).pathname.split('/');
  while (segments.length > 1 && segments.at(-1) === '') segments.pop();
  return `${publicBase}${segments.slice(0, Math.max(1, segments.length - route.split('/').length)).join('/')}`;
}
