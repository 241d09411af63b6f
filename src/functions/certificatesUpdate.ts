import { app } from '../http/app.js';
import { updateCertificate } from '../http/certificates.js';
import { endpoint } from '../http/endpoint.js';

app.http('certificatesUpdate', {
  route: 'certificates/{name}',
  methods: ['PATCH'],
  authLevel: 'function',
  handler: endpoint(updateCertificate),
});
