import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('secretsDelete', {
  route: 'secrets/{name}',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).deleteSecret),
});
