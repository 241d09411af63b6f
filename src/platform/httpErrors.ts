import type { HttpResponseInit } from '@azure/functions';

/** A caller-facing error: status, a stable code and a message safe to show (never a value or a token). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}


export interface ErrorBody {
  error: { code: string; message: string; target?: string };
}

/** The Azure-style error response: JSON body plus `x-ms-error-code` and the request id. */
export function errorResponse(error: ApiError, requestId: string): HttpResponseInit {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.target) body.error.target = error.target;
  return {
    status: error.status,
    jsonBody: body,
    headers: {
      ...error.headers,
      'x-ms-error-code': error.code,
      'x-ms-request-id': requestId,
      'cache-control': 'no-store',
    },
  };
}

/** What an unexpected failure looks like from outside: a 500 with the request id and no internals. */
export function internalError(requestId: string): ApiError {
  return new ApiError(
    500,
    'InternalError',
    `The server could not complete the request. Quote request id ${requestId} when reporting it.`,
  );
}
