import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('keyVersionGet', {
  route: 'keys/{name}/versions/{version}',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/keys.js')).getKeyVersion),
});
