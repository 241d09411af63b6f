import { registerEndpoint } from '../platform/endpoint.js';
import { listCertificates } from '../certificates/endpoints.js';

registerEndpoint(listCertificates);
