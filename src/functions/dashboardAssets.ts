import { app } from '../http/app.js';
import { dashboardResponse } from '../http/dashboard.js';
import { apiHandler } from '../platform/httpHandler.js';

// The page's scripts, styles and chart library: the same for everyone, no data, so no key.
app.http('dashboardAssets', {
  route: 'dashboard/{asset}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: apiHandler(async (request) => dashboardResponse(request.params.asset ?? '')),
});
