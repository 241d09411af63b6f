import { app } from '../http/app.js';
import { listDeletedCertificates } from '../http/certificates.js';
import { endpoint } from '../http/endpoint.js';

app.http('deletedCertificatesList', {
  route: 'deleted-certificates',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(listDeletedCertificates),
});
