import { registerEndpoint } from '../platform/endpoint.js';
import { getOperation } from '../certificates/endpoints.js';

registerEndpoint(getOperation);
