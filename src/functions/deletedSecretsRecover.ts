import { registerEndpoint } from '../platform/endpoint.js';
import { recoverDeletedSecret } from '../secrets/endpoints.js';

registerEndpoint(recoverDeletedSecret);
