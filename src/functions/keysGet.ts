import { app } from '../http/app.js';
import { getKey } from '../http/keys.js';
import { endpoint } from '../http/endpoint.js';

app.http('keysGet', {
  route: 'keys/{name}',
  methods: ['GET'],
  authLevel: 'function',
  handler: endpoint(getKey),
});
