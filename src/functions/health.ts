import { app } from '../http/app.js';
import { healthEndpoint } from '../http/health.js';
import { endpoint } from '../http/endpoint.js';

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: endpoint(healthEndpoint),
});
