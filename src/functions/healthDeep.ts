import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.http('healthDeep', {
  route: 'health/deep',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/health.js')).deepHealthEndpoint),
});
