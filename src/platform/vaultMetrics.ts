import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { telemetry } from './telemetry.js';

/**
 * Counts every Key Vault request the SDK sends (each retry too) and its 429s, by vault alias
 * (metrics `keyvault.requests` and `keyvault.requests.throttled`); nothing when telemetry is off.
 */
export function vaultMetricsPolicy(vault: string): PipelinePolicy {
  return {
    name: 'vaultMetrics',
    async sendRequest(request, next) {
      try {
        const response = await next(request);
        telemetry().metrics.vaultResponse(vault, response.status);
        return response;
      } catch (error) {
        const status = (error as { statusCode?: unknown } | null)?.statusCode;
        telemetry().metrics.vaultResponse(vault, typeof status === 'number' ? status : undefined);
        throw error;
      }
    },
  };
}
