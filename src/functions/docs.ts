import { app, type HttpResponseInit } from '@azure/functions';
import { CONTENT_SECURITY_POLICY, docsFile } from '../openapi/docsPage.js';

app.http('docs', {
  route: 'docs/{asset?}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request): Promise<HttpResponseInit> => {
    const file = await docsFile(request.params.asset);
    if (!file) return { status: 404, jsonBody: { error: { code: 'NotFound', message: 'No such documentation file.' } }, headers: { 'x-ms-error-code': 'NotFound' } };
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
  },
});
