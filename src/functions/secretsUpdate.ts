import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.http('secretsUpdate', {
  route: 'secrets/{name}',
  methods: ['PATCH'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).updateSecret),
});
