import { app } from '../http/app.js';
import { getCertificate } from '../http/certificates.js';
import { endpoint } from '../http/endpoint.js';

app.http('certificatesGet', {
  route: 'certificates/{name}',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(getCertificate),
});
