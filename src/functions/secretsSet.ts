import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('secretsSet', {
  route: 'secrets/{name}',
  methods: ['PUT'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).setSecret),
});
