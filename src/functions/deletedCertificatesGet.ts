import { registerEndpoint } from '../platform/endpoint.js';
import { getDeletedCertificate } from '../certificates/endpoints.js';

registerEndpoint(getDeletedCertificate);
