import { z } from 'zod';
import { defineEndpoint } from './endpoint.js';

const startedAt = new Date().toISOString();

export const healthSchema = z.object({ status: z.literal('Healthy'), startedAt: z.string() }).meta({ id: 'Health' });

export const healthEndpoint = defineEndpoint({
  functionName: 'health',
  method: 'GET',
  route: 'health',
  summary: 'Liveness: the app is loaded and answering',
  tag: 'Health',
  permission: 'public',
  responses: { 200: { description: 'Alive.', schema: healthSchema } },
  handle: async () => ({ status: 200, body: { status: 'Healthy', startedAt }, headers: { 'cache-control': 'no-store' } }),
});
