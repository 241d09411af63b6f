import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.http('certificatesUpdate', {
  route: 'certificates/{name}',
  methods: ['PATCH'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).updateCertificate),
});
