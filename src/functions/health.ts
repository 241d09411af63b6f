import { app } from '@azure/functions';
import { apiHandler } from '../platform/httpHandler.js';

const startedAt = new Date().toISOString();

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: apiHandler(async () => ({
    status: 200,
    jsonBody: { status: 'Healthy', startedAt },
    headers: { 'cache-control': 'no-store' },
  })),
});
