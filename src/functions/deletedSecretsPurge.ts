import { app } from '../http/app.js';
import { purgeDeletedSecret } from '../http/secrets.js';
import { endpoint } from '../http/endpoint.js';

app.http('deletedSecretsPurge', {
  route: 'deleted-secrets/{name}',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: endpoint(purgeDeletedSecret),
});
