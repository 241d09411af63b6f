import { registerEndpoint } from '../platform/endpoint.js';
import { deleteCertificate } from '../certificates/endpoints.js';

registerEndpoint(deleteCertificate);
