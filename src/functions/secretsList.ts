import { registerEndpoint } from '../platform/endpoint.js';
import { listSecrets } from '../secrets/endpoints.js';

registerEndpoint(listSecrets);
