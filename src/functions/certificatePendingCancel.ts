import { registerEndpoint } from '../platform/endpoint.js';
import { cancelPendingOperation } from '../certificates/endpoints.js';

registerEndpoint(cancelPendingOperation);
