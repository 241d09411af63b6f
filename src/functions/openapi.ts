import { app } from '../http/app.js';
import { apiBaseUrl } from '../http/endpoint.js';
import { getConfig } from '../platform/config.js';
import { apiHandler } from '../platform/httpHandler.js';
import { publicBaseUrl } from '../platform/publicUrl.js';

app.http('openapi', {
  route: 'openapi.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  // Private: no shared cache keeps a copy for other callers (its server URL is this app's).
  handler: apiHandler(async (request) => {
    // The generator and the document are built on the first request for it.
    const { openApiDocument } = await import('../openapi/document.js');
    return {
      status: 200,
      jsonBody: await openApiDocument(apiBaseUrl(request, 'openapi.json', publicBaseUrl(getConfig()))),
      headers: { 'cache-control': 'private, max-age=300' },
    };
  }),
});
