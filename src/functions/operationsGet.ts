import { app } from '../http/app.js';
import { getOperationStatus } from '../http/operations.js';
import { endpoint } from '../http/endpoint.js';

app.http('operationsGet', {
  route: 'operations/{id}',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(getOperationStatus),
});
