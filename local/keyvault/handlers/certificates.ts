// Placeholder owned by the certificates engineer: replace with the certificate operations.
import type { Operation } from '../context.js';

export const certificateOperations: Operation[] = [];
