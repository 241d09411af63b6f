import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('certificatesList', {
  route: 'certificates',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).listCertificates),
});
