import { registerEndpoint } from '../platform/endpoint.js';
import { rotateSecret } from '../secrets/endpoints.js';

registerEndpoint(rotateSecret);
