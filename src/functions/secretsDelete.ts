import { app } from '../http/app.js';
import { deleteSecret } from '../http/secrets.js';
import { endpoint } from '../http/endpoint.js';

app.http('secretsDelete', {
  route: 'secrets/{name}',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: endpoint(deleteSecret),
});
