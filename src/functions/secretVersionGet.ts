import { registerEndpoint } from '../platform/endpoint.js';
import { getSecretVersion } from '../secrets/endpoints.js';

registerEndpoint(getSecretVersion);
