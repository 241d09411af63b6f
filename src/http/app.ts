import { app as functions, type HttpFunctionOptions, type HttpMethod } from '@azure/functions';
import { bindRegistration, type Endpoint, type HttpRegistration } from './endpoint.js';

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
    const registration: HttpRegistration = { name, route: options.route, method: options.methods[0], authLevel: options.authLevel ?? 'anonymous' };
    const load = bindRegistration(options.handler, registration);
    if (load) registered.push({ ...registration, load });
    functions.http(name, options);
  },
};

/** The endpoints registered so far, in registration order, each definition loaded and checked against its registration. */
export async function loadRegisteredEndpoints(): Promise<RegisteredEndpoint[]> {
  return Promise.all(registered.map(async ({ load, ...registration }) => ({ ...registration, endpoint: await load() })));
}
