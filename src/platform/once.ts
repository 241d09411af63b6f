/**
 * Runs `create` once and shares its promise, e.g. creating a queue or table before first use. A
 * failure is not remembered: the next call tries again.
 */
export function onceUntilFailure(create: () => Promise<unknown>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => {
    pending ??= create().then(
      () => undefined,
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}
