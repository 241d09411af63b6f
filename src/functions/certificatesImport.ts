import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('certificatesImport', {
  route: 'certificates/{name}/import',
  methods: ['POST'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).importCertificate),
});
