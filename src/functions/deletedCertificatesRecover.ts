import { registerEndpoint } from '../platform/endpoint.js';
import { recoverDeletedCertificate } from '../certificates/endpoints.js';

registerEndpoint(recoverDeletedCertificate);
