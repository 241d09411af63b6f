import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('certificatesCreate', {
  route: 'certificates/{name}',
  methods: ['PUT'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).createCertificate),
});
