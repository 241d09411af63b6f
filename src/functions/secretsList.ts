import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('secretsList', {
  route: 'secrets',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).listSecrets),
});
