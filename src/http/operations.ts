import * as z from 'zod';
import { getOperation } from '../operations/lifecycle.js';
import { operationSchema, publicView } from '../operations/model.js';
import { errorBodySchema } from '../platform/apiSchemas.js';
import { problems } from '../platform/problems.js';
import { defineEndpoint, VAULT_PARAM } from './endpoint.js';

export const getOperationStatus = defineEndpoint({
  summary: 'Status of an operation (certificate create, renew, delete, recover)',
  tag: 'Operations',
  permission: 'read',
  params: z.object({ id: z.uuid() }),
  responses: { 200: { description: 'The operation.', schema: operationSchema }, 404: { description: 'No such operation.', schema: errorBodySchema } },
  handle: async ({ services, params, request }) => {
    const operation = publicView(await getOperation((await services.operations()).store, params.id));
    // Under /vaults/{vault}/ only that vault's operations; the plain route shows any (ids are unique).
    if (request.params[VAULT_PARAM] !== undefined && operation.target.vault !== services.vaultAlias) throw problems.operationNotFound(params.id);
    const running = operation.status === 'NotStarted' || operation.status === 'Running';
    return { status: 200, body: operation, headers: { 'cache-control': 'no-store', ...(running ? { 'retry-after': '2' } : {}) } };
  },
});
