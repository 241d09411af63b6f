import { registerEndpoint } from '../platform/endpoint.js';
import { setSecret } from '../secrets/endpoints.js';

registerEndpoint(setSecret);
