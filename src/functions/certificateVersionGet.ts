import { app } from '../http/app.js';
import { getCertificateVersion } from '../http/certificates.js';
import { endpoint } from '../http/endpoint.js';

app.http('certificateVersionGet', {
  route: 'certificates/{name}/versions/{version}',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(getCertificateVersion),
});
