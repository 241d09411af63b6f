import { registerEndpoint } from '../platform/endpoint.js';
import { renewCertificate } from '../certificates/endpoints.js';

registerEndpoint(renewCertificate);
