import { registerEndpoint } from '../platform/endpoint.js';
import { listDeletedCertificates } from '../certificates/endpoints.js';

registerEndpoint(listDeletedCertificates);
