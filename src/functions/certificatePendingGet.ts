import { registerEndpoint } from '../platform/endpoint.js';
import { getPendingOperation } from '../certificates/endpoints.js';

registerEndpoint(getPendingOperation);
