import * as z from 'zod';
import { objectNameSchema, tagsSchema, versionSchema } from '../platform/apiSchemas.js';
import { commonPropertiesShape } from '../platform/objectProperties.js';
import { pageQuerySchema, pageSchema } from '../platform/paging.js';

export const certificateNameParams = z.object({ name: objectNameSchema });
export const certificateVersionParams = z.object({ name: objectNameSchema, version: versionSchema });

const keyUsages = [
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

const lifetimeAction = z
  .strictObject({
    action: z.enum(['AutoRenew', 'EmailContacts']),
    lifetimePercentage: z.number().int().min(1).max(99).optional(),
    daysBeforeExpiry: z.number().int().min(1).optional(),
  })
  .refine((a) => (a.lifetimePercentage === undefined) !== (a.daysBeforeExpiry === undefined), 'needs exactly one of lifetimePercentage, daysBeforeExpiry');

/** The public `CertificatePolicy` of @azure/keyvault-certificates (camelCase), so SDK examples can be copied. */
export const certificatePolicySchema = z
  .strictObject({
    subject: z.string().min(1).max(1024).optional(),
    subjectAlternativeNames: z
      .strictObject({
        dnsNames: z.array(z.string().min(1).max(253)).max(100).optional(),
        emails: z.array(z.email()).max(100).optional(),
        userPrincipalNames: z.array(z.string().min(1).max(256)).max(100).optional(),
      })
      .optional(),
    issuerName: z.string().min(1).max(127).optional().meta({ description: '`Self` (default), `Unknown` (merge later) or a configured issuer.' }),
    keyType: z.enum(['RSA', 'RSA-HSM', 'EC', 'EC-HSM']).optional(),
    keySize: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]).optional(),
    keyCurveName: z.enum(['P-256', 'P-384', 'P-521', 'P-256K']).optional(),
    exportable: z.boolean().optional(),
    reuseKey: z.boolean().optional(),
    contentType: z.enum(['application/x-pkcs12', 'application/x-pem-file']).optional(),
    validityInMonths: z.number().int().min(1).max(1200).optional(),
    enhancedKeyUsage: z
      .array(z.string().regex(/^\d+(\.\d+)+$/, 'must be an OID such as 1.3.6.1.5.5.7.3.1'))
      .max(20)
      .optional(),
    keyUsage: z.array(z.enum(keyUsages)).max(keyUsages.length).optional(),
    lifetimeActions: z.array(lifetimeAction).max(1).optional(),
    certificateTransparency: z.boolean().optional(),
    certificateType: z.string().max(64).optional(),
    enabled: z.boolean().optional(),
  })
  .refine((p) => (p.keyType?.startsWith('EC') ? p.keySize === undefined : p.keyCurveName === undefined), 'keySize is for RSA keys and keyCurveName for EC keys')
  .meta({ id: 'CertificatePolicy' });

export type CertificatePolicyInput = z.infer<typeof certificatePolicySchema>;

/** What a new certificate version is made from: in a create request's body and in the job that carries it out. */
export const newCertificateShape = {
  policy: certificatePolicySchema.optional().meta({ description: 'Default: self-signed, subject CN=<name>, RSA 2048, 12 months.' }),
  tags: tagsSchema.optional(),
  enabled: z.boolean().optional(),
};

/** A policy for a new certificate must name what the certificate is for. */
export const namesItsSubject = {
  check: (request: { policy?: CertificatePolicyInput }) =>
    !request.policy || !!request.policy.subject || Object.values(request.policy.subjectAlternativeNames ?? {}).some((names) => names?.length),
  options: { message: 'needs a subject or at least one subject alternative name', path: ['policy'] },
};

export const createCertificateBody = z.strictObject(newCertificateShape).refine(namesItsSubject.check, namesItsSubject.options).meta({ id: 'CreateCertificateRequest' });

export const importCertificateBody = z
  .strictObject({
    certificate: z
      .string()
      .min(1)
      .max(256 * 1024)
      .meta({ description: 'PEM text (key and certificates) or base64 PFX.' }),
    password: z.string().max(1024).optional().meta({ description: 'PFX password, if any.' }),
    policy: certificatePolicySchema.optional(),
    tags: tagsSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: 'ImportCertificateRequest' });

export const updateCertificateBody = z
  .strictObject({ enabled: z.boolean().optional(), tags: tagsSchema.optional() })
  .refine((b) => Object.keys(b).length > 0, 'must set enabled or tags')
  .meta({ id: 'UpdateCertificateRequest' });

export const certificatePropertiesSchema = z.object({
  ...commonPropertiesShape,
  x509Thumbprint: z.string().optional().meta({ description: 'SHA-1 thumbprint, hex.' }),
});

export const certificateSchema = z
  .object({
    name: z.string(),
    id: z.string(),
    version: z.string().optional(),
    properties: certificatePropertiesSchema,
    policy: certificatePolicySchema.optional(),
    cer: z.string().optional().meta({ description: 'The X.509 certificate, base64 DER. Never the private key.' }),
    pem: z.string().optional().meta({ description: 'The same certificate as PEM.' }),
  })
  .meta({ id: 'Certificate' });

export const certificateSummarySchema = certificateSchema.omit({ policy: true, cer: true, pem: true }).meta({ id: 'CertificateSummary' });

export const deletedCertificateSchema = certificateSummarySchema
  .extend({ recoveryId: z.string().optional(), deletedOn: z.string().optional(), scheduledPurgeDate: z.string().optional() })
  .meta({ id: 'DeletedCertificate' });

export const pendingOperationSchema = z
  .object({
    name: z.string(),
    status: z.string().optional(),
    statusDetails: z.string().optional(),
    issuerName: z.string().optional(),
    cancellationRequested: z.boolean().optional(),
    csr: z.string().optional().meta({ description: 'Certificate signing request, base64 DER (for issuer Unknown: sign it and merge).' }),
    target: z.string().optional(),
    error: z.object({ code: z.string().optional(), message: z.string().optional() }).optional(),
  })
  .meta({ id: 'PendingCertificateOperation' });

export const certificatePageSchema = pageSchema(certificateSummarySchema).meta({ id: 'CertificatePage' });
export const deletedCertificatePageSchema = pageSchema(deletedCertificateSchema).meta({ id: 'DeletedCertificatePage' });
export const certificateListQuery = pageQuerySchema.extend({
  includePending: z.enum(['true', 'false']).optional().meta({ description: 'Include certificates whose creation is still pending.' }),
});
export const listQuery = pageQuerySchema;

export type CertificateResponse = z.infer<typeof certificateSchema>;
export type CertificateSummary = z.infer<typeof certificateSummarySchema>;
export type DeletedCertificateResponse = z.infer<typeof deletedCertificateSchema>;
export type PendingOperationResponse = z.infer<typeof pendingOperationSchema>;
