import { registerEndpoint } from '../platform/endpoint.js';
import { deepHealthEndpoint } from '../platform/health.js';

registerEndpoint(deepHealthEndpoint);
