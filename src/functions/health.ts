import { registerEndpoint } from '../platform/endpoint.js';
import { healthEndpoint } from '../platform/health.js';

registerEndpoint(healthEndpoint);
