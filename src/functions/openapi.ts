import { app } from '../http/app.js';
import { openApiDocument } from '../openapi/document.js';
import { apiBaseUrl } from '../http/endpoint.js';

app.http('openapi', {
  route: 'openapi.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request) => {
    return { status: 200, jsonBody: openApiDocument(apiBaseUrl(request, 'openapi.json')), headers: { 'cache-control': 'public, max-age=300' } };
  },
});
