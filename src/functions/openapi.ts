import { app } from '@azure/functions';
import { openApiDocument } from '../openapi/document.js';

app.http('openapi', {
  route: 'openapi.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const url = new URL(request.url);
    const apiBase = `${url.origin}${url.pathname.replace(/\/openapi\.json$/, '')}`;
    return { status: 200, jsonBody: openApiDocument(apiBase), headers: { 'cache-control': 'public, max-age=300' } };
  },
});
