import { registerEndpoint } from '../platform/endpoint.js';
import { deleteSecret } from '../secrets/endpoints.js';

registerEndpoint(deleteSecret);
