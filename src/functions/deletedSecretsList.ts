import { registerEndpoint } from '../platform/endpoint.js';
import { listDeletedSecrets } from '../secrets/endpoints.js';

registerEndpoint(listDeletedSecrets);
