import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('secretVersionUpdate', {
  route: 'secrets/{name}/versions/{version}',
  methods: ['PATCH'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).updateSecretVersion),
});
