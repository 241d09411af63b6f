// Read-only access to keys (e.g. the key backing a certificate): public JWK and properties.
import type { KeyClient, KeyVaultKey } from '@azure/keyvault-keys';
import * as z from 'zod';
import { objectNameSchema, versionSchema } from '../platform/apiSchemas.js';
import { commonPropertiesShape, toCommonProperties } from '../platform/objectProperties.js';
import { vaultCall } from '../platform/vaultFailures.js';

export const keyNameParams = z.object({ name: objectNameSchema });
export const keyVersionParams = z.object({ name: objectNameSchema, version: versionSchema });

export const publicJwkSchema = z
  .object({
    kid: z.string().optional(),
    kty: z.string(),
    key_ops: z.array(z.string()).optional(),
    n: z.string().optional(),
    e: z.string().optional(),
    crv: z.string().optional(),
    x: z.string().optional(),
    y: z.string().optional(),
  })
  .meta({ id: 'PublicJsonWebKey', description: 'RFC 7517 JSON Web Key, public members only (base64url).' });

export const keySchema = z
  .object({
    name: z.string(),
    id: z.string(),
    version: z.string(),
    key: publicJwkSchema,
    properties: z.object({
      ...commonPropertiesShape,
      exportable: z.boolean().optional(),
      managed: z.boolean(),
    }),
  })
  .meta({ id: 'Key' });

export type KeyResponse = z.infer<typeof keySchema>;

const b64url = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('base64url') : undefined);

/** Public members only: private parts (d, p, q, dp, dq, qi, k) are never copied. */
export function toKeyResponse(key: KeyVaultKey): KeyResponse {
  const jwk = key.key ?? {};
  const p = key.properties;
  return {
    name: key.name,
    id: key.id ?? '',
    version: p.version ?? '',
    key: {
      kid: jwk.kid,
      kty: jwk.kty ?? 'unknown',
      key_ops: jwk.keyOps,
      n: b64url(jwk.n),
      e: b64url(jwk.e),
      crv: jwk.crv,
      x: b64url(jwk.x),
      y: b64url(jwk.y),
    },
    properties: { ...toCommonProperties(p), exportable: p.exportable, managed: p.managed ?? false },
  };
}

export async function getPublicKey(client: KeyClient, name: string, version?: string): Promise<KeyResponse> {
  return toKeyResponse(await vaultCall({ kind: 'Key', name }, () => client.getKey(name, version ? { version } : {})));
}
