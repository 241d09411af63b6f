import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('operationsGet', {
  route: 'operations/{id}',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/operations.js')).getOperationStatus),
});
