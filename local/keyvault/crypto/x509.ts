// The single entry point to @peculiar/x509: it needs `reflect-metadata` loaded first and a
// WebCrypto provider, and both must happen exactly once before any certificate is built or parsed.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export { x509 };
