import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('deletedSecretsPurge', {
  route: 'deleted-secrets/{name}',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).purgeDeletedSecret),
});
