import { app } from '../http/app.js';
import { rotateSecret } from '../http/secrets.js';
import { endpoint } from '../http/endpoint.js';

app.http('secretsRotate', {
  route: 'secrets/{name}/rotate',
  methods: ['POST'],
  authLevel: 'function',
  handler: endpoint(rotateSecret),
});
