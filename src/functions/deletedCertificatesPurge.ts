import { registerEndpoint } from '../platform/endpoint.js';
import { purgeDeletedCertificate } from '../certificates/endpoints.js';

registerEndpoint(purgeDeletedCertificate);
