// Crypto code knows nothing about HTTP: it throws this, and the certificate handlers turn it into
// a 400 `BadParameter` through the emulator's error factory. Messages are safe to show callers
// (they never contain key material).
export class CertificateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateInputError';
  }
}
