import { registerEndpoint } from '../platform/endpoint.js';
import { getSecret } from '../secrets/endpoints.js';

registerEndpoint(getSecret);
