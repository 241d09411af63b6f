import { app } from '../http/app.js';
import { apiBaseUrl } from '../http/endpoint.js';

app.http('openapi', {
  route: 'openapi.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request) => {
    // The generator and the document are built on the first request for it.
    const { openApiDocument } = await import('../openapi/document.js');
    return { status: 200, jsonBody: openApiDocument(apiBaseUrl(request, 'openapi.json')), headers: { 'cache-control': 'public, max-age=300' } };
  },
});
