import { app } from '../http/app.js';
import { deepHealthEndpoint } from '../http/health.js';
import { endpoint } from '../http/endpoint.js';

app.http('healthDeep', {
  route: 'health/deep',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(deepHealthEndpoint),
});
