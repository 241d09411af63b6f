// The route table: every Key Vault operation the emulator serves. Each handler module exports
// an `Operation[]`; add yours here (see README.md).
import type { Operation } from './context.js';
import { certificateOperations } from './handlers/certificates.js';
import { keyOperations } from './handlers/keys.js';
import { secretOperations } from './handlers/secrets.js';

export const operations: readonly Operation[] = [...secretOperations, ...keyOperations, ...certificateOperations];
