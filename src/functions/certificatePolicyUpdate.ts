import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('certificatePolicyUpdate', {
  route: 'certificates/{name}/policy',
  methods: ['PATCH'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).updateCertificatePolicy),
});
