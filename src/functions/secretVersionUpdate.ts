import { registerEndpoint } from '../platform/endpoint.js';
import { updateSecretVersion } from '../secrets/endpoints.js';

registerEndpoint(updateSecretVersion);
