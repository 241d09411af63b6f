import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('deletedSecretsGet', {
  route: 'deleted-secrets/{name}',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).getDeletedSecret),
});
