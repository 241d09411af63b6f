import type { HttpResponseInit } from '@azure/functions';
import { Problem, type ProblemKind } from './problems.js';

/** The HTTP status for each kind of problem: the one place the API's error model meets HTTP. */
const STATUS: Record<ProblemKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  preconditionFailed: 412,
  tooLarge: 413,
  unsupportedMediaType: 415,
  unprocessable: 422,
  throttled: 429,
  internal: 500,
  unavailable: 503,
};

export const statusOf = (problem: Problem) => STATUS[problem.kind];

export interface ErrorBody {
  error: { code: string; message: string; target?: string };
}

/** The Azure-style error response: JSON body plus `x-ms-error-code`, the request id and Retry-After. */
export function errorResponse(problem: Problem, requestId: string): HttpResponseInit {
  const body: ErrorBody = { error: { code: problem.code, message: problem.message } };
  if (problem.target) body.error.target = problem.target;
  return {
    status: statusOf(problem),
    jsonBody: body,
    headers: {
      ...(problem.retryAfterSeconds !== undefined ? { 'retry-after': String(problem.retryAfterSeconds) } : {}),
      'x-ms-error-code': problem.code,
      'x-ms-request-id': requestId,
      'cache-control': 'no-store',
    },
  };
}

export { Problem };
