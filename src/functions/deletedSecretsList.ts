import { app } from '../http/app.js';
import { listDeletedSecrets } from '../http/secrets.js';
import { endpoint } from '../http/endpoint.js';

app.http('deletedSecretsList', {
  route: 'deleted-secrets',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(listDeletedSecrets),
});
