import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('certificatesUpdate', {
  route: 'certificates/{name}',
  methods: ['PATCH'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).updateCertificate),
});
