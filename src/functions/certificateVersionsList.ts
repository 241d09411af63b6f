import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('certificateVersionsList', {
  route: 'certificates/{name}/versions',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).listCertificateVersions),
});
