import { registerEndpoint } from '../platform/endpoint.js';
import { updateSecret } from '../secrets/endpoints.js';

registerEndpoint(updateSecret);
