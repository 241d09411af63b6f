import { app, type HttpResponseInit } from '@azure/functions';
import { CONTENT_SECURITY_POLICY, docsFile } from '../openapi/docsPage.js';
import { ApiError } from '../platform/httpErrors.js';
import { apiHandler } from '../platform/httpHandler.js';

app.http('docs', {
  route: 'docs/{asset?}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: apiHandler(async (request): Promise<HttpResponseInit> => {
    const file = await docsFile(request.params.asset);
    if (!file) throw new ApiError(404, 'NotFound', 'No such documentation file.');
    return {
      status: 200,
      body: file.body,
      headers: {
        'content-type': file.contentType,
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'cache-control': 'public, max-age=3600',
      },
    };
  }),
});
