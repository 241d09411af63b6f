import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('keysGet', {
  route: 'keys/{name}',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/keys.js')).getKey),
});
