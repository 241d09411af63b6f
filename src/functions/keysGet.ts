import { registerEndpoint } from '../platform/endpoint.js';
import { getKey } from '../keys/endpoints.js';

registerEndpoint(getKey);
