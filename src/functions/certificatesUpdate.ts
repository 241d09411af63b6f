import { registerEndpoint } from '../platform/endpoint.js';
import { updateCertificate } from '../certificates/endpoints.js';

registerEndpoint(updateCertificate);
