import { app } from '../http/app.js';
import { endpoint } from '../http/endpoint.js';

app.vaultHttp('certificatePendingCancel', {
  route: 'certificates/{name}/pending',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: endpoint(async () => (await import('../http/certificates.js')).cancelPendingOperation),
});
