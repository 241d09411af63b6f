import { registerEndpoint } from '../platform/endpoint.js';
import { getDeletedSecret } from '../secrets/endpoints.js';

registerEndpoint(getDeletedSecret);
