import { randomUUID } from 'node:crypto';
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ConfigError } from './config.js';
import { errorResponse } from './httpErrors.js';
import { Problem, problems } from './problems.js';

export type ApiHandler = (request: HttpRequest, context: InvocationContext, requestId: string) => Promise<HttpResponseInit>;

/**
 * Wraps an HTTP handler with the API's shared behaviour: a request id on every response, known
 * errors mapped to their status and code, invalid app settings a 503, and anything else turned into a 500 that carries only
 * the request id. The log line for an unexpected error names its type and request id, never its
 * message, which could quote a value.
 */
export function apiHandler(handler: ApiHandler): HttpHandler {
  return async (request, context) => {
    const requestId = randomUUID();
    try {
      const response = await handler(request, context, requestId);
      return { ...response, headers: { ...toRecord(response.headers), 'x-ms-request-id': requestId } };
    } catch (error) {
      if (error instanceof Problem) return errorResponse(error, requestId);
      // Settings that fail validation (e.g. AUTH_ROLES without App Service Authentication): the
      // app refuses to work at all. The message names settings, never their values.
      if (error instanceof ConfigError) {
        context.error(`[config] ${error.message}`);
        return errorResponse(problems.configurationInvalid(), requestId);
      }
      const vault = request.params?.vault;
      context.error(`Unexpected ${describe(error)} while handling the request (request id ${requestId}${vault ? `, vault ${vault.slice(0, 24)}` : ''})`);
      return errorResponse(problems.internal(requestId), requestId);
    }
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name} (${code})` : error.name;
  }
  return typeof error;
}

function toRecord(headers: HttpResponseInit['headers']): Record<string, string> {
  if (!headers) return {};
  return Object.fromEntries(new Headers(headers as ConstructorParameters<typeof Headers>[0]).entries());
}
