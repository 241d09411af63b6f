import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('secretsRotate', {
  route: 'secrets/{name}/rotate',
  methods: ['POST'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/secrets.js')).rotateSecret),
});
