// Maps a request to an HTTP-triggered function the way the Functions host does:
// routes ordered by function name, first template + method match wins, wrong method = no match.
import type { FunctionInfo } from '../contracts.js';
import { RouteTemplate, type RouteParams } from './routeTemplate.js';

const RESERVED_PREFIXES = ['admin', 'runtime'];

export interface HttpRoute {
  fn: FunctionInfo;
  /** Route without the prefix, as the app declared it (or the function name). */
  route: string;
  template: RouteTemplate;
  /** Upper-case; empty = every method. */
  methods: string[];
  authLevel: string;
}

export interface RouteMatch {
  route: HttpRoute;
  params: RouteParams;
}

export class HttpRouter {
  readonly routes: HttpRoute[];

  constructor(functions: readonly FunctionInfo[], prefix: string) {
    const sorted = [...functions].sort((a, b) => compareOrdinalIgnoreCase(a.name, b.name));
    const routes: HttpRoute[] = [];
    for (const fn of sorted) {
      const route = (typeof fn.trigger['route'] === 'string' ? fn.trigger['route'] : fn.name).replace(/^\/+|\/+$/g, '');
      const firstSegment = route.split('/')[0]!.toLowerCase();
      if (RESERVED_PREFIXES.some((reserved) => firstSegment.startsWith(reserved))) {
        throw new Error(`Function '${fn.name}': the route specified conflicts with one or more built in routes.`);
      }
      const methods = Array.isArray(fn.trigger['methods']) ? fn.trigger['methods'].map((m) => String(m).toUpperCase()) : [];
      const template = new RouteTemplate(prefix ? `${prefix}/${route}` : route);
      const conflict = routes.find((other) => other.template.text.toLowerCase() === template.text.toLowerCase() && methodsOverlap(other.methods, methods));
      if (conflict) {
        throw new Error(`Function '${fn.name}': the route specified conflicts with the route defined by function '${conflict.fn.name}'.`);
      }
      routes.push({ fn, route, template, methods, authLevel: String(fn.trigger['authLevel'] ?? 'anonymous') });
    }
    this.routes = routes;
  }

  /** `path` is the raw (percent-encoded) path without query string. */
  match(method: string, path: string): RouteMatch | undefined {
    const segments = path.replace(/^\//, '').split('/');
    // A single trailing slash is tolerated, as in ASP.NET Core.
    if (segments.length > 1 && segments.at(-1) === '') segments.pop();
    if (segments.length === 1 && segments[0] === '') segments.pop();
    const upper = method.toUpperCase();
    for (const route of this.routes) {
      if (route.methods.length > 0 && !route.methods.includes(upper)) continue;
      const params = route.template.match(segments);
      if (params) return { route, params };
    }
    return undefined;
  }
}

function methodsOverlap(a: string[], b: string[]): boolean {
  return a.length === 0 || b.length === 0 || a.some((m) => b.includes(m));
}

function compareOrdinalIgnoreCase(a: string, b: string): number {
  const x = a.toUpperCase();
  const y = b.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
