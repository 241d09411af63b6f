import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('certificatesRenew', {
  route: 'certificates/{name}/renew',
  methods: ['POST'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).renewCertificate),
});
