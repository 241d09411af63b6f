import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.http('deletedSecretsList', {
  route: 'deleted-secrets',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).listDeletedSecrets),
});
