import * as z from 'zod';
import { isoDateSchema, objectNameSchema, tagsSchema, versionSchema } from '../platform/apiSchemas.js';
import { commonPropertiesShape } from '../platform/objectProperties.js';
import { pageQuerySchema, pageSchema } from '../platform/paging.js';
import { isServerKeySecret } from '../platform/serverKeys.js';

/** Key Vault's limit for a secret value: 25 KiB. */
export const MAX_SECRET_VALUE_BYTES = 25 * 1024;

/** Any secret's name except the app's own keys (see isServerKeySecret). */
const secretNameSchema = objectNameSchema.refine((name) => !isServerKeySecret(name), {
  message: "is one of the app's own keys; the API neither shows nor changes it (read it in Key Vault with a role that allows it)",
});
export const secretNameParams = z.object({ name: secretNameSchema });
export const secretVersionParams = z.object({ name: secretNameSchema, version: versionSchema });

export const secretPropertiesSchema = z
  .object({
    ...commonPropertiesShape,
    contentType: z.string().optional(),
    managed: z.boolean().meta({ description: 'True for the secret backing a certificate (read-only here).' }),
  })
  .meta({ id: 'SecretProperties' });

export const secretSchema = z
  .object({
    name: z.string(),
    id: z.string(),
    version: z.string(),
    value: z.string().optional().meta({ description: 'Only in GET of a secret or version, and in PUT with returnValue=true.' }),
    properties: secretPropertiesSchema,
  })
  .meta({ id: 'Secret' });

export const deletedSecretSchema = secretSchema
  .omit({ value: true })
  .extend({
    recoveryId: z.string().optional(),
    deletedOn: z.string().optional(),
    scheduledPurgeDate: z.string().optional(),
  })
  .meta({ id: 'DeletedSecret' });

export const secretPageSchema = pageSchema(secretSchema.omit({ value: true })).meta({ id: 'SecretPage' });
export const deletedSecretPageSchema = pageSchema(deletedSecretSchema).meta({ id: 'DeletedSecretPage' });

const secretValue = z
  .string()
  .min(1)
  .refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_SECRET_VALUE_BYTES, `must be at most ${MAX_SECRET_VALUE_BYTES} bytes`);

const contentType = z.string().max(255);

export const setSecretBody = z
  .strictObject({
    value: secretValue.meta({ description: 'The secret value (at most 25 KiB).' }),
    contentType: contentType.optional(),
    tags: tagsSchema.optional(),
    enabled: z.boolean().optional(),
    notBefore: isoDateSchema.optional(),
    expiresOn: isoDateSchema.optional(),
  })
  .meta({ id: 'SetSecretRequest' });

export const updateSecretBody = z
  .strictObject({
    enabled: z.boolean().optional(),
    contentType: contentType.optional(),
    tags: tagsSchema.optional(),
    notBefore: isoDateSchema.nullable().optional(),
    expiresOn: isoDateSchema.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'must set at least one of enabled, contentType, tags, notBefore, expiresOn')
  .meta({ id: 'UpdateSecretRequest' });

export const setSecretQuery = z.object({
  returnValue: z.enum(['true', 'false']).optional().meta({ description: 'Echo the value in the response (default false).' }),
});

export const listQuery = pageQuerySchema;

export const conditionalHeaders = z.object({
  'If-Match': z.string().optional().meta({ description: 'Proceed only if the current version (ETag) matches.' }),
  'If-None-Match': z.literal('*').optional().meta({ description: 'PUT only: create, never add a version to an existing secret.' }),
  'Idempotency-Key': z.string().max(128).optional().meta({ description: 'A repeated PUT with the same key and body returns the first result.' }),
});

export type SecretResponse = z.infer<typeof secretSchema>;
export type DeletedSecretResponse = z.infer<typeof deletedSecretSchema>;
export type SetSecretInput = z.infer<typeof setSecretBody>;
export type UpdateSecretInput = z.infer<typeof updateSecretBody>;
