import { app as functions, type HttpFunctionOptions, type HttpMethod } from '@azure/functions';
import { bindRegistration, VAULT_PARAM, type Endpoint, type HttpRegistration } from './endpoint.js';

export interface RegisteredEndpoint extends HttpRegistration {
  endpoint: Endpoint;
}

const registered: (HttpRegistration & { load: () => Promise<Endpoint> })[] = [];

type RouteOptions = HttpFunctionOptions & { route: string; methods: [HttpMethod] };

/**
 * The `app` of `@azure/functions`, except that `app.http` also records each endpoint it
 * registers, so the OpenAPI document describes exactly the functions the app registered. An
 * endpoint whose auth level or route parameters disagree with its registration fails when its
 * definition loads (first request, or the OpenAPI document); a unit test loads them all.
 */
export const app = {
  ...functions,
  http(name: string, options: RouteOptions): void {
    register(name, options);
  },
  /**
   * `app.http`, plus the same endpoint for every vault of KEYVAULTS: function `<name>InVault` on
   * `vaults/{vault}/<route>` (one definition, two routes; the OpenAPI document lists both).
   */
  vaultHttp(name: string, options: RouteOptions): void {
    const load = register(name, options);
    const route = `vaults/{${VAULT_PARAM}}/${options.route}`;
    if (load) registered.push({ name: `${name}InVault`, route, method: options.methods[0], authLevel: options.authLevel ?? 'anonymous', load });
    functions.http(`${name}InVault`, { ...options, route });
  },
};

/** Registers the function and records its endpoint; the endpoint's loader, if it has one. */
function register(name: string, options: RouteOptions): (() => Promise<Endpoint>) | undefined {
  const registration: HttpRegistration = { name, route: options.route, method: options.methods[0], authLevel: options.authLevel ?? 'anonymous' };
  const load = bindRegistration(options.handler, registration);
  if (load) registered.push({ ...registration, load });
  functions.http(name, options);
  return load;
}

/** The endpoints registered so far, in registration order, each definition loaded and checked against its registration. */
export async function loadRegisteredEndpoints(): Promise<RegisteredEndpoint[]> {
  return Promise.all(registered.map(async ({ load, ...registration }) => ({ ...registration, endpoint: await load() })));
}
