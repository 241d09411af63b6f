import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('certificatesGet', {
  route: 'certificates/{name}',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).getCertificate),
});
