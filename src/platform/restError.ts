import type { RestError } from '@azure/core-rest-pipeline';

/**
 * Whether `error` is an Azure SDK `RestError` (a service answered, or the request could not be
 * sent). The same test as the SDK's own `isRestError` (an error-like object named `RestError`,
 * which every instance of its class is), without loading `@azure/core-rest-pipeline` when the app
 * starts.
 */
export function isRestError(error: unknown): error is RestError {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  return name === 'RestError' && typeof message === 'string';
}
