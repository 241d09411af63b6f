import { app } from '../http/app.js';
import { createCertificate } from '../http/certificates.js';
import { endpoint } from '../http/endpoint.js';

app.http('certificatesCreate', {
  route: 'certificates/{name}',
  methods: ['PUT'],
  authLevel: 'function',
  handler: endpoint(createCertificate),
});
