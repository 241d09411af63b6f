import { createHmac } from 'node:crypto';
import type { ServerKey } from '../platform/serverKeys.js';

/**
 * Called after a new value is generated and before it is written, so that the system using the
 * secret can prepare (e.g. accept both values for a while). It is told names and versions only,
 * never the value. A throw aborts that secret's rotation.
 */
export interface TargetUpdateHook {
  beforeWrite(rotation: { name: string; previousVersion: string; rotationId: string }): Promise<void>;
}

export const noTargetUpdate: TargetUpdateHook = { beforeWrite: async () => undefined };

/** The headers of a signed webhook request (docs/security.md tells receivers how to check them). */
export const SIGNATURE_HEADER = 'x-signature-256';
export const TIMESTAMP_HEADER = 'x-signature-timestamp';
export const KEY_VERSION_HEADER = 'x-signature-key-version';

export interface WebhookOptions {
  /** The HMAC-SHA256 key and the version of the vault secret that holds it. */
  signingKey: () => Promise<ServerKey>;
  timeoutMs?: number;
}

/**
 * POSTs `{ name, previousVersion, rotationId }` to a URL and requires a 2xx answer within the
 * timeout. Redirects are refused: the receiver is the configured URL and no other. Each request
 * is signed: `X-Signature-256: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, with the Unix
 * time in seconds in `X-Signature-Timestamp` (signed too, so a captured request cannot be
 * replayed later) and the key's secret version in `X-Signature-Key-Version`.
 */
export function webhookTargetUpdate(url: string, options: WebhookOptions): TargetUpdateHook {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async beforeWrite(rotation) {
      const { key, version } = await options.signingKey();
      // The exact bytes sent are the bytes signed.
      const body = Buffer.from(JSON.stringify(rotation), 'utf8');
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac('sha256', key).update(`${timestamp}.`).update(body).digest('hex');
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: `sha256=${signature}`,
          [TIMESTAMP_HEADER]: timestamp,
          [KEY_VERSION_HEADER]: version,
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`the rotation webhook answered ${response.status}`);
    },
  };
}
