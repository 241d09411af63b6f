import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('secretVersionGet', {
  route: 'secrets/{name}/versions/{version}',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).getSecretVersion),
});
