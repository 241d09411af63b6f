import { registerEndpoint } from '../platform/endpoint.js';
import { getCertificateVersion } from '../certificates/endpoints.js';

registerEndpoint(getCertificateVersion);
