import { app } from '../http/app.js';
import { dashboardResponse } from '../http/dashboard.js';
import { apiHandler } from '../platform/httpHandler.js';

// The page holds no data (it fetches GET /api/inventory with the key it was opened with), but it
// is keyed like the API; in Azure, App Service Authentication guards it as well.
app.http('dashboard', {
  route: 'dashboard',
  methods: ['GET'],
  authLevel: 'function',
  handler: apiHandler(async () => dashboardResponse(undefined)),
});
