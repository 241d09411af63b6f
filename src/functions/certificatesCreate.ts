import { registerEndpoint } from '../platform/endpoint.js';
import { createCertificate } from '../certificates/endpoints.js';

registerEndpoint(createCertificate);
