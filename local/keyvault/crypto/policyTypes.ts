// Wire shapes of a certificate policy, as the service stores and returns them.
// `CertificatePolicy` is the fully defaulted form: every field the real service fills in is present.

export const RSA_KEY_SIZES = [2048, 3072, 4096] as const;
export const EC_CURVES = ['P-256', 'P-384', 'P-521', 'P-256K'] as const;
export const KEY_TYPES = ['RSA', 'RSA-HSM', 'EC', 'EC-HSM'] as const;
export const CONTENT_TYPES = ['application/x-pkcs12', 'application/x-pem-file'] as const;
export const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export const ACTION_TYPES = ['AutoRenew', 'EmailContacts'] as const;

export type KeyType = (typeof KEY_TYPES)[number];
export type CurveName = (typeof EC_CURVES)[number];
export type SecretContentType = (typeof CONTENT_TYPES)[number];
export type KeyUsage = (typeof KEY_USAGES)[number];
export type ActionType = (typeof ACTION_TYPES)[number];

export const PKCS12_CONTENT_TYPE: SecretContentType = 'application/x-pkcs12';
export const PEM_CONTENT_TYPE: SecretContentType = 'application/x-pem-file';
export const SELF_ISSUER = 'Self';
export const UNKNOWN_ISSUER = 'Unknown';

export interface SubjectAlternativeNames {
  emails?: string[];
  dns_names?: string[];
  upns?: string[];
  uris?: string[];
  ipAddresses?: string[];
}

export interface KeyProperties {
  exportable: boolean;
  kty: KeyType;
  key_size: number;
  reuse_key: boolean;
  crv?: CurveName;
}

export interface X509Properties {
  subject?: string;
  sans?: SubjectAlternativeNames;
  ekus: string[];
  key_usage: KeyUsage[];
  validity_months: number;
  basic_constraints: { ca: boolean };
}

export interface LifetimeAction {
  trigger: { lifetime_percentage?: number; days_before_expiry?: number };
  action: { action_type: ActionType };
}

export interface IssuerParameters {
  name: string;
  cty?: string;
  cert_transparency?: boolean;
}

export interface CertificatePolicy {
  key_props: KeyProperties;
  secret_props: { contentType: SecretContentType };
  x509_props: X509Properties;
  lifetime_actions: LifetimeAction[];
  issuer: IssuerParameters;
  attributes: { enabled: boolean; created: number; updated: number };
}
