import { app } from '../http/app.js';
import { setSecret } from '../http/secrets.js';
import { endpoint } from '../http/endpoint.js';

app.http('secretsSet', {
  route: 'secrets/{name}',
  methods: ['PUT'],
  authLevel: 'function',
  handler: endpoint(setSecret),
});
