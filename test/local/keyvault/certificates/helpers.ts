// Clients for the certificate integration tests (real SDKs against an in-test emulator) and a
// tiny external CA that signs pending operations' CSRs for merge tests.
import { CertificateClient } from '@azure/keyvault-certificates';
import { KeyClient } from '@azure/keyvault-keys';
import type { EmulatorOptions, RoleAssignmentConfig, RunningEmulator } from '../../../../local/keyvault/index.js';
import { issueSelfSigned } from '../../../../local/keyvault/crypto/issue.js';
import { generateCertificateKey, signingAlgorithmFor, toCryptoKeyPair } from '../../../../local/keyvault/crypto/keys.js';
import { normalizePolicy } from '../../../../local/keyvault/crypto/policy.js';
import { x509 } from '../../../../local/keyvault/crypto/x509.js';
import { credentialFor, localSecretClient, startTestEmulator } from '../helpers.js';
import type { SecretClient } from '@azure/keyvault-secrets';

export { localSecretClient };

const clientOptions = (emulator: RunningEmulator) => ({
  tlsOptions: { ca: emulator.caPem },
  disableChallengeResourceVerification: true,
  retryOptions: { maxRetries: 1 },
});

/** The default roles plus key reads (Certificates Officer alone cannot read backing keys). */
export const CERTIFICATE_TEST_ROLES: readonly RoleAssignmentConfig[] = [
  { principal: 'system', role: 'Key Vault Secrets Officer' },
  { principal: 'system', role: 'Key Vault Certificates Officer' },
  { principal: 'system', role: 'Key Vault Certificate User' },
];

export function localCertificateClient(emulator: RunningEmulator, identityName = 'system'): CertificateClient {
  return new CertificateClient(emulator.vaultUrl, credentialFor(emulator, identityName), clientOptions(emulator));
}

export function localKeyClient(emulator: RunningEmulator, identityName = 'system'): KeyClient {
  return new KeyClient(emulator.vaultUrl, credentialFor(emulator, identityName), clientOptions(emulator));
}

export interface TestCa {
  der: Buffer;
  /** Signs a PKCS#10 request (DER) and returns the leaf certificate (DER). */
  sign(csrDer: Uint8Array): Promise<Buffer>;
}

export async function createTestCa(): Promise<TestCa> {
  const policy = normalizePolicy(
    {
      key_props: { kty: 'EC', crv: 'P-256' },
      x509_props: { subject: 'CN=External Test CA', key_usage: ['keyCertSign', 'cRLSign'], ekus: [], basic_constraints: { ca: true } },
    },
    Math.floor(Date.now() / 1000),
  );
  const key = await generateCertificateKey(policy.key_props);
  const der = await issueSelfSigned(policy, key, new Date());
  const keys = await toCryptoKeyPair(key);
  return {
    der,
    async sign(csrDer) {
      const csr = new x509.Pkcs10CertificateRequest(csrDer);
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: '1234abcd',
        subject: csr.subject,
        issuer: new x509.X509Certificate(der).subject,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 30 * 86400_000),
        publicKey: csr.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: signingAlgorithmFor(key),
        extensions: csr.extensions,
      });
      return Buffer.from(cert.rawData);
    },
  };
}

export interface CertificateTestbed {
  emulator: RunningEmulator;
  client: CertificateClient;
  secrets: SecretClient;
  keys: KeyClient;
}

/** An in-memory emulator whose system identity may manage certificates and read their secrets and keys. */
export async function startCertificateTestbed(options: EmulatorOptions = {}): Promise<CertificateTestbed> {
  const emulator = await startTestEmulator({ roleAssignments: CERTIFICATE_TEST_ROLES, ...options });
  return { emulator, client: localCertificateClient(emulator), secrets: localSecretClient(emulator), keys: localKeyClient(emulator) };
}
