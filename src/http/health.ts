import * as z from 'zod';
import { defineEndpoint } from './endpoint.js';

/** When this process started (this module loads on the first health request). */
const startedAt = new Date(performance.timeOrigin).toISOString();

export const healthSchema = z.object({ status: z.literal('Healthy'), startedAt: z.string() }).meta({ id: 'Health' });

export const healthEndpoint = defineEndpoint({
  summary: 'Liveness: the app is loaded and answering',
  tag: 'Health',
  permission: 'public',
  responses: { 200: { description: 'Alive.', schema: healthSchema } },
  handle: async () => ({ status: 200, body: { status: 'Healthy', startedAt }, headers: { 'cache-control': 'no-store' } }),
});

const checkSchema = z.object({ status: z.enum(['Healthy', 'Unhealthy']), durationMs: z.number(), error: z.string().optional() });
export const deepHealthSchema = z
  .object({ status: z.enum(['Healthy', 'Unhealthy']), checks: z.object({ vault: checkSchema, storage: checkSchema }) })
  .meta({ id: 'DeepHealth' });

type Check = z.infer<typeof checkSchema>;

/** Runs one dependency check; the error is reduced to its type and status, never a message. */
async function check(probe: () => Promise<unknown>): Promise<Check> {
  const start = Date.now();
  try {
    await probe();
    return { status: 'Healthy', durationMs: Date.now() - start };
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    return { status: 'Unhealthy', durationMs: Date.now() - start, error: `${(error as Error).name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}` };
  }
}

export const deepHealthEndpoint = defineEndpoint({
  summary: 'Readiness: the vault and storage answer with the managed identity',
  tag: 'Health',
  permission: 'read',
  responses: {
    200: { description: 'Every dependency answered.', schema: deepHealthSchema },
    503: { description: 'A dependency failed; see checks.', schema: deepHealthSchema },
  },
  handle: async ({ services }) => {
    const [vault, storage] = await Promise.all([
      check(async () => (await services.vault.secrets()).listPropertiesOfSecrets().byPage({ maxPageSize: 1 }).next()),
      check(async () => (await services.storage.queue(services.config.JOBS_QUEUE)).exists()),
    ]);
    const healthy = vault.status === 'Healthy' && storage.status === 'Healthy';
    return {
      status: healthy ? 200 : 503,
      body: { status: healthy ? 'Healthy' : 'Unhealthy', checks: { vault, storage } },
      headers: { 'cache-control': 'no-store' },
    };
  },
});
