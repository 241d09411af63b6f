import { app as functions, type HttpFunctionOptions, type HttpMethod } from '@azure/functions';
import { bindRoute, type Endpoint, type HttpRegistration } from './endpoint.js';

export interface RegisteredEndpoint extends HttpRegistration {
  endpoint: Endpoint;
}

const registered: RegisteredEndpoint[] = [];

type RouteOptions = HttpFunctionOptions & { route: string; methods: [HttpMethod] };

/**
 * The `app` of `@azure/functions`, except that `app.http` also records each endpoint it
 * registers, so the OpenAPI document describes exactly the functions the app registered. It
 * refuses a registration whose auth level or route parameters disagree with its endpoint.
 */
export const app = {
  ...functions,
  http(name: string, options: RouteOptions): void {
    const endpoint = bindRoute(options.handler, options.route);
    if (endpoint) {
      const authLevel = options.authLevel ?? 'anonymous';
      if ((endpoint.permission === 'public') !== (authLevel === 'anonymous')) {
        throw new Error(`Function ${name}: permission '${endpoint.permission}' does not fit authLevel '${authLevel}'`);
      }
      const routeParams = [...options.route.matchAll(/\{(\w+)[^}]*\}/g)].map((match) => match[1]).sort();
      const schemaParams = Object.keys((endpoint.params as { shape?: object } | undefined)?.shape ?? {}).sort();
      if (routeParams.join() !== schemaParams.join())
        throw new Error(`Function ${name}: route parameters ${routeParams.join()} do not match its schema's ${schemaParams.join()}`);
      registered.push({ name, route: options.route, method: options.methods[0], authLevel, endpoint });
    }
    functions.http(name, options);
  },
};

/** The endpoints registered so far, in registration order. */
export const registeredEndpoints = (): readonly RegisteredEndpoint[] => registered;
