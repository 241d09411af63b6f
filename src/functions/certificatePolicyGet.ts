import { app } from '../http/app.js';
import { getCertificatePolicy } from '../http/certificates.js';
import { endpoint } from '../http/endpoint.js';

app.http('certificatePolicyGet', {
  route: 'certificates/{name}/policy',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(getCertificatePolicy),
});
