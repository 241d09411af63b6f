import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('deletedCertificatesGet', {
  route: 'deleted-certificates/{name}',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).getDeletedCertificate),
});
