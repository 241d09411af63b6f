import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('secretsUpdate', {
  route: 'secrets/{name}',
  methods: ['PATCH'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).updateSecret),
});
