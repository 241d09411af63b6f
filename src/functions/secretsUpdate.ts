import { app } from '../http/app.js';
import { updateSecret } from '../http/secrets.js';
import { endpoint } from '../http/endpoint.js';

app.http('secretsUpdate', {
  route: 'secrets/{name}',
  methods: ['PATCH'],
  authLevel: 'function',
  handler: endpoint(updateSecret),
});
