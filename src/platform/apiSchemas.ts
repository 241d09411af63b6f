import * as z from 'zod';

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable, machine-readable code; also in the x-ms-error-code header.' }),
      message: z.string(),
      target: z.string().optional().meta({ description: 'The field or header at fault.' }),
    }),
  })
  .meta({ id: 'ErrorResponse' });

/** The 403 a purge route documents (see principal.ts and vaultFailures.ts). */
export const purgeRefused = {
  description: 'PurgeNotAllowed (ALLOW_PURGE or Vault.Admin needed), PurgeProtected (the vault has purge protection on), or another refusal.',
  schema: errorBodySchema,
};

/** Key Vault object names. */
export const objectNameSchema = z
  .string()
  .regex(/^[0-9a-zA-Z-]{1,127}$/, 'must be 1-127 letters, digits and hyphens')
  .meta({ description: 'Object name: 1-127 letters, digits and hyphens.', example: 'db-password' });

/** Key Vault object versions: 32 lower-case hex digits. */
export const versionSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hexadecimal digits')
  .meta({ description: 'Version id: 32 hexadecimal digits.' });

export const tagsSchema = z
  .record(z.string().min(1).max(256), z.string().max(256))
  .refine((tags) => Object.keys(tags).length <= 15, 'must have at most 15 tags')
  .meta({ description: 'At most 15 tags; names and values up to 256 characters.' });

export const isoDateSchema = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2030-01-31T00:00:00Z' });
