import { app } from '../http/app.js';
import { recoverDeletedCertificate } from '../http/certificates.js';
import { endpoint } from '../http/endpoint.js';

app.http('deletedCertificatesRecover', {
  route: 'deleted-certificates/{name}/recover',
  methods: ['POST'],
  authLevel: 'function',
  handler: endpoint(recoverDeletedCertificate),
});
