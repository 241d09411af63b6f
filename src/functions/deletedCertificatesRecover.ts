import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('deletedCertificatesRecover', {
  route: 'deleted-certificates/{name}/recover',
  methods: ['POST'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).recoverDeletedCertificate),
});
