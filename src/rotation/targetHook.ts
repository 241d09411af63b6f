/**
 * Called after a new value is generated and before it is written, so that the system using the
 * secret can prepare (e.g. accept both values for a while). It is told names and versions only,
 * never the value. A throw aborts that secret's rotation.
 */
export interface TargetUpdateHook {
  beforeWrite(rotation: { name: string; previousVersion: string; rotationId: string }): Promise<void>;
}

export const noTargetUpdate: TargetUpdateHook = { beforeWrite: async () => undefined };

/**
 * POSTs `{ name, previousVersion, rotationId }` to a URL and requires a 2xx answer within the
 * timeout. Redirects are refused: the receiver is the configured URL and no other.
 */
export function webhookTargetUpdate(url: string, timeoutMs = 10_000): TargetUpdateHook {
  return {
    async beforeWrite(rotation) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rotation),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`the rotation webhook answered ${response.status}`);
    },
  };
}
