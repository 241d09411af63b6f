import { registerEndpoint } from '../platform/endpoint.js';
import { getCertificatePolicy } from '../certificates/endpoints.js';

registerEndpoint(getCertificatePolicy);
