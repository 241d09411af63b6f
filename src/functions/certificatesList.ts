import { app } from '../http/app.js';
import { listCertificates } from '../http/certificates.js';
import { endpoint } from '../http/endpoint.js';

app.http('certificatesList', {
  route: 'certificates',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(listCertificates),
});
