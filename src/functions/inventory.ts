import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.http('inventory', {
  route: 'inventory',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/inventory.js')).getInventory),
});
