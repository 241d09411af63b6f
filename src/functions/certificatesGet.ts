import { registerEndpoint } from '../platform/endpoint.js';
import { getCertificate } from '../certificates/endpoints.js';

registerEndpoint(getCertificate);
