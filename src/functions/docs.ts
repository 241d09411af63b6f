import type { HttpResponseInit } from '@azure/functions';
import { app } from '../http/app.js';
import { CONTENT_SECURITY_POLICY, docsFile } from '../openapi/docsPage.js';
import { problems } from '../platform/problems.js';
import { apiHandler } from '../platform/httpHandler.js';

app.http('docs', {
  route: 'docs/{asset?}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: apiHandler(async (request): Promise<HttpResponseInit> => {
    const file = await docsFile(request.params.asset);
    if (!file) throw problems.docsNotFound();
    return {
      status: 200,
      body: file.body,
      headers: {
        'content-type': file.contentType,
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        // The page is this app's, kept out of shared caches like its document; the static files
        // it loads are the same for everyone.
        'cache-control': request.params.asset ? 'public, max-age=3600' : 'private, max-age=300',
      },
    };
  }),
});
