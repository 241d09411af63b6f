import { registerEndpoint } from '../platform/endpoint.js';
import { importCertificate } from '../certificates/endpoints.js';

registerEndpoint(importCertificate);
