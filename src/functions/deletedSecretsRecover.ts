import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('deletedSecretsRecover', {
  route: 'deleted-secrets/{name}/recover',
  methods: ['POST'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).recoverDeletedSecret),
});
