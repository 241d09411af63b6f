import { registerEndpoint } from '../platform/endpoint.js';
import { getKeyVersion } from '../keys/endpoints.js';

registerEndpoint(getKeyVersion);
