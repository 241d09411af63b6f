import { randomUUID } from 'node:crypto';
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ConfigError, DEFAULT_VAULT } from './config.js';
import { errorResponse } from './httpErrors.js';
import { Problem, problems } from './problems.js';
import { invocationTraceContext, telemetryReady, traceContext, withLogProperties } from './telemetry.js';

export type ApiHandler = (request: HttpRequest, context: InvocationContext, requestId: string) => Promise<HttpResponseInit>;

/**
 * Wraps an HTTP handler with the API's shared behaviour: a request id on every response, known
 * errors mapped to their status and code, invalid app settings a 503, and anything else turned into a 500 that carries only
 * the request id. The log line for an unexpected error names its type and request id, never its
 * message, which could quote a value.
 */
export function apiHandler(handler: ApiHandler): HttpHandler {
  const handle = handleRequest(handler);
  return async (request, context) => {
    const telemetry = await telemetryReady();
    if (!telemetry.enabled) return handle(request, context);
    // The request's span: a child of the caller's trace (the Functions host's, which honours an
    // incoming traceparent in Azure, or else the request's own traceparent header).
    return telemetry.inSpan(
      `${request.method} ${context.functionName}`,
      {
        kind: 'server',
        parent: invocationTraceContext(context) ?? traceContext(request.headers.get('traceparent'), request.headers.get('tracestate')),
        // The path only: the query may hold the function key (`code`).
        attributes: { 'http.request.method': request.method, 'url.path': new URL(request.url).pathname, 'faas.invocation_id': context.invocationId },
      },
      async (span) => {
        const response = await handle(request, context);
        const status = response.status ?? 200;
        span.setAttributes({ 'http.response.status_code': status });
        if (status >= 500) span.fail(String(status));
        return response;
      },
    );
  };
}

function handleRequest(handler: ApiHandler): HttpHandler {
  return async (request, context): Promise<HttpResponseInit> => {
    const requestId = randomUUID();
    // Every log line of the request carries its request id and vault alias as properties.
    const vaultParam = request.params?.vault;
    return withLogProperties({ 'app.request.id': requestId, 'app.vault': vaultParam === undefined ? DEFAULT_VAULT : vaultParam.slice(0, 24) }, () =>
      respond(handler, request, context, requestId),
    );
  };
}

async function respond(handler: ApiHandler, request: HttpRequest, context: InvocationContext, requestId: string): Promise<HttpResponseInit> {
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
