import { app } from '../http/app.js';
import { deleteCertificate } from '../http/certificates.js';
import { endpoint } from '../http/endpoint.js';

app.http('certificatesDelete', {
  route: 'certificates/{name}',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: endpoint(deleteCertificate),
});
