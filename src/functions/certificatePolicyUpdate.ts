import { registerEndpoint } from '../platform/endpoint.js';
import { updateCertificatePolicy } from '../certificates/endpoints.js';

registerEndpoint(updateCertificatePolicy);
