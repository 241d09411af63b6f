import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.http('deletedSecretsRecover', {
  route: 'deleted-secrets/{name}/recover',
  methods: ['POST'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).recoverDeletedSecret),
});
