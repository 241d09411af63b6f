// Maps the Key Vault SDK's certificate shapes to the API's. No private key ever passes here:
// the SDK's certificate objects carry only the public certificate (`cer`).
import type { CertificateOperation, CertificatePolicy, CertificateProperties, DeletedCertificate, KeyVaultCertificate } from '@azure/keyvault-certificates';
import { iso, toCommonProperties } from '../platform/objectProperties.js';
import type { CertificatePolicyInput, CertificateResponse, CertificateSummary, DeletedCertificateResponse, PendingOperationResponse } from './schemas.js';

export function toPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export function toCertificateSummary(properties: CertificateProperties): CertificateSummary {
  return {
    name: properties.name ?? '',
    id: properties.id ?? '',
    ...(properties.version ? { version: properties.version } : {}),
    properties: {
      ...toCommonProperties(properties),
      x509Thumbprint: properties.x509Thumbprint ? Buffer.from(properties.x509Thumbprint).toString('hex') : undefined,
    },
  };
}

export function toCertificate(certificate: KeyVaultCertificate & { policy?: CertificatePolicy }): CertificateResponse {
  return {
    ...toCertificateSummary(certificate.properties),
    ...(certificate.policy ? { policy: toPolicy(certificate.policy) } : {}),
    ...(certificate.cer?.length ? { cer: Buffer.from(certificate.cer).toString('base64'), pem: toPem(certificate.cer) } : {}),
  };
}

export function toDeletedCertificate(certificate: DeletedCertificate): DeletedCertificateResponse {
  return {
    ...toCertificateSummary(certificate.properties),
    recoveryId: certificate.recoveryId,
    deletedOn: iso(certificate.deletedOn),
    scheduledPurgeDate: iso(certificate.scheduledPurgeDate),
  };
}

export function toPolicy(policy: CertificatePolicy): CertificatePolicyInput {
  const sans = policy.subjectAlternativeNames;
  const result: CertificatePolicyInput = {
    subject: policy.subject,
    subjectAlternativeNames: sans ? { dnsNames: sans.dnsNames, emails: sans.emails, userPrincipalNames: sans.userPrincipalNames } : undefined,
    issuerName: policy.issuerName,
    keyType: policy.keyType as CertificatePolicyInput['keyType'],
    keySize: policy.keySize as CertificatePolicyInput['keySize'],
    keyCurveName: policy.keyCurveName as CertificatePolicyInput['keyCurveName'],
    exportable: policy.exportable,
    reuseKey: policy.reuseKey,
    contentType: policy.contentType as CertificatePolicyInput['contentType'],
    validityInMonths: policy.validityInMonths,
    enhancedKeyUsage: policy.enhancedKeyUsage,
    keyUsage: policy.keyUsage as CertificatePolicyInput['keyUsage'],
    lifetimeActions: policy.lifetimeActions?.map((a) => ({
      action: (a.action ?? 'AutoRenew') as 'AutoRenew' | 'EmailContacts',
      ...(a.lifetimePercentage !== undefined ? { lifetimePercentage: a.lifetimePercentage } : {}),
      ...(a.daysBeforeExpiry !== undefined ? { daysBeforeExpiry: a.daysBeforeExpiry } : {}),
    })),
    certificateTransparency: policy.certificateTransparency,
    certificateType: policy.certificateType,
    enabled: policy.enabled,
  };
  return JSON.parse(JSON.stringify(result)) as CertificatePolicyInput; // drops undefined members
}

export function toPendingOperation(name: string, operation: CertificateOperation): PendingOperationResponse {
  return {
    name,
    status: operation.status,
    statusDetails: operation.statusDetails,
    issuerName: operation.issuerName,
    cancellationRequested: operation.cancellationRequested,
    csr: operation.csr?.length ? Buffer.from(operation.csr).toString('base64') : undefined,
    target: operation.target,
    ...(operation.error ? { error: { code: operation.error.code, message: operation.error.message } } : {}),
  };
}
