import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: endpoint(async () => (await import('../http/health.js')).healthEndpoint),
});
