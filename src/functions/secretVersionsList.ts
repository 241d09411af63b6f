import { registerEndpoint } from '../platform/endpoint.js';
import { listSecretVersions } from '../secrets/endpoints.js';

registerEndpoint(listSecretVersions);
