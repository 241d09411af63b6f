import { app } from '../http/app.js';
import { getSecret } from '../http/secrets.js';
import { endpoint } from '../http/endpoint.js';

app.http('secretsGet', {
  route: 'secrets/{name}',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(getSecret),
});
