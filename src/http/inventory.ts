import * as z from 'zod';
import { inventoryResponseSchema } from '../inventory/model.js';
import { readInventory } from '../inventory/service.js';
import { errorBodySchema } from '../platform/apiSchemas.js';
import { VAULT_ALIAS } from '../platform/config.js';
import { defineEndpoint } from './endpoint.js';

const inventoryQuery = z.object({
  vault: z.string().regex(VAULT_ALIAS).optional().meta({ description: 'Only this vault (its alias; `default`: KEYVAULT_URL).' }),
  refresh: z.enum(['true', 'false']).optional().meta({ description: 'Rebuild the inventory from the vaults first (each vault at most once per INVENTORY_REFRESH_SECONDS).' }),
});

export const getInventory = defineEndpoint({
  summary: 'What every managed vault holds: names, kinds, expiry, rotation and renewal state, last failures (never a value)',
  tag: 'Inventory',
  permission: 'read',
  query: inventoryQuery,
  responses: {
    200: { description: "Every vault's last inventory snapshot (written by each rotation run, or by a refresh).", schema: inventoryResponseSchema },
    404: { description: 'The app manages no vault with that alias.', schema: errorBodySchema },
    429: { description: 'Refresh asked for too soon after the last snapshot.', schema: errorBodySchema, headers: { 'Retry-After': 'Seconds until a refresh is allowed.' } },
  },
  handle: async ({ services, query, apiBase }) => {
    if (query.vault !== undefined) services.inVault(query.vault);
    const body = await readInventory(services, { vaults: query.vault === undefined ? undefined : [query.vault], refresh: query.refresh === 'true', apiBase });
    return { status: 200, body, headers: { 'cache-control': 'no-store' } };
  },
});
