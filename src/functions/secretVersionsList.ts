import { app } from '../http/app.js';
import { listSecretVersions } from '../http/secrets.js';
import { endpoint } from '../http/endpoint.js';

app.http('secretVersionsList', {
  route: 'secrets/{name}/versions',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(listSecretVersions),
});
