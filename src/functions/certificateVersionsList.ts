import { registerEndpoint } from '../platform/endpoint.js';
import { listCertificateVersions } from '../certificates/endpoints.js';

registerEndpoint(listCertificateVersions);
