import { app } from '../http/app.js';
import { updateSecretVersion } from '../http/secrets.js';
import { endpoint } from '../http/endpoint.js';

app.http('secretVersionUpdate', {
  route: 'secrets/{name}/versions/{version}',
  methods: ['PATCH'],
  authLevel: 'function',
  handler: endpoint(updateSecretVersion),
});
