import { registerEndpoint } from '../platform/endpoint.js';
import { purgeDeletedSecret } from '../secrets/endpoints.js';

registerEndpoint(purgeDeletedSecret);
