import { app } from '../http/app.js';
import { cancelPendingOperation } from '../http/certificates.js';
import { endpoint } from '../http/endpoint.js';

app.http('certificatePendingCancel', {
  route: 'certificates/{name}/pending',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: endpoint(cancelPendingOperation),
});
