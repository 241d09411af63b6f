import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('secretVersionsList', {
  route: 'secrets/{name}/versions',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).listSecretVersions),
});
