import { app } from '../http/app.js';
import { listSecrets } from '../http/secrets.js';
import { endpoint } from '../http/endpoint.js';

app.http('secretsList', {
  route: 'secrets',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(listSecrets),
});
