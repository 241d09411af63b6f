import { randomBytes } from 'node:crypto';
import { isRestError } from './restError.js';
import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets';
import { lazy } from './once.js';

/** A random key that only the app knows, kept as a secret in its own vault. */
export interface ServerKeySecret {
  /** The secret's name (letters, digits and hyphens). */
  name: string;
  /** What the key is for, in the secret's `purpose` tag for operators. */
  purpose: string;
}

/** Keys the digests and row keys of Idempotency-Key records (src/platform/idempotency.ts). */
export const IDEMPOTENCY_SERVER_KEY: ServerKeySecret = {
  name: 'app-idempotency-key',
  purpose: 'HMAC key of the Idempotency-Key records in table storage. Created by the app; it uses the oldest version. Do not delete.',
};

/** Signs the rotation webhook's requests (src/rotation/targetHook.ts); receivers read it to verify them. */
export const WEBHOOK_SIGNING_KEY: ServerKeySecret = {
  name: 'app-webhook-signing-key',
  purpose: 'HMAC-SHA256 key of the rotation webhook signature (X-Signature-256). Created by the app; it uses the oldest version. Do not delete.',
};

/**
 * Whether `name` is one of the app's own key secrets. The API neither shows nor changes them: a
 * caller who could read the webhook key could sign webhook requests, one who could replace or
 * delete a key would break idempotency records or webhook verification. Key Vault names are
 * case-insensitive.
 */
export function isServerKeySecret(name: string): boolean {
  const lower = name.toLowerCase();
  return [IDEMPOTENCY_SERVER_KEY, WEBHOOK_SIGNING_KEY].some((secret) => secret.name === lower);
}

/** A server key and the version of its secret that holds it. */
export interface ServerKey {
  key: Buffer;
  version: string;
}

export const SERVER_KEY_BYTES = 32;
export const SERVER_KEY_CONTENT_TYPE = 'application/octet-stream; encoding=base64';
/** Longer than the one-second resolution of a version's createdOn, with room for the round trip. */
const SETTLE_MS = 1_500;
/** A version this old cannot have an unseen twin from the same second (allows for clock skew). */
const SETTLED_AFTER_MS = 5 * 60_000;

/**
 * The key in `secret`, created on first use and then cached for the process (a failure is not
 * cached). Processes that create it at once all settle on one value: the oldest enabled version.
 * Key Vault dates versions to the second, so a listing is trusted only once the second of its
 * oldest version has passed; a later creator's version is always newer.
 */
export function vaultServerKey(secrets: SecretClient, secret: ServerKeySecret): () => Promise<Buffer> {
  const entry = vaultServerKeyEntry(secrets, secret);
  return async () => (await entry()).key;
}

/** As vaultServerKey, with the version that holds the key (for whoever must read the same key). */
export function vaultServerKeyEntry(secrets: SecretClient, secret: ServerKeySecret): () => Promise<ServerKey> {
  return lazy(() => loadServerKey(secrets, secret));
}

async function loadServerKey(secrets: SecretClient, secret: ServerKeySecret): Promise<ServerKey> {
  let oldest = await oldestVersion(secrets, secret.name);
  if (!oldest) {
    await secrets.setSecret(secret.name, randomBytes(SERVER_KEY_BYTES).toString('base64'), {
      contentType: SERVER_KEY_CONTENT_TYPE,
      tags: { purpose: secret.purpose, 'created-by': 'keyvault-functions' },
    });
  }
  if (!oldest || Date.now() - createdMs(oldest) < SETTLED_AFTER_MS) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    oldest = await oldestVersion(secrets, secret.name);
    if (!oldest) throw new Error(`Secret ${secret.name} has no enabled version after it was created`);
  }
  const { value } = await secrets.getSecret(secret.name, { version: oldest.version! });
  const key = Buffer.from(value ?? '', 'base64');
  if (key.length !== SERVER_KEY_BYTES || key.toString('base64') !== value) {
    throw new Error(`Secret ${secret.name} (version ${oldest.version}) does not hold a ${SERVER_KEY_BYTES}-byte base64 key`);
  }
  return { key, version: oldest.version! };
}

const createdMs = (properties: SecretProperties) => properties.createdOn?.getTime() ?? Number.POSITIVE_INFINITY;

async function oldestVersion(secrets: SecretClient, name: string): Promise<SecretProperties | undefined> {
  let oldest: SecretProperties | undefined;
  try {
    for await (const properties of secrets.listPropertiesOfSecretVersions(name)) {
      if (properties.enabled === false || !properties.version) continue;
      const older = !oldest || createdMs(properties) < createdMs(oldest) || (createdMs(properties) === createdMs(oldest) && properties.version < oldest.version!);
      if (older) oldest = properties;
    }
  } catch (error) {
    if (!(isRestError(error) && error.statusCode === 404)) throw error;
  }
  return oldest;
}
