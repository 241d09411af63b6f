import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('deletedCertificatesPurge', {
  route: 'deleted-certificates/{name}',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).purgeDeletedCertificate),
});
