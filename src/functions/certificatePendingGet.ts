import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('certificatePendingGet', {
  route: 'certificates/{name}/pending',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).getPendingOperation),
});
