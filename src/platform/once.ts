/**
 * `create()` run on first call and its promise shared by every later call, e.g. an SDK client
 * whose package is imported on first use. A failure is not remembered: the next call tries again.
 */
export function lazy<T>(create: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= create().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/** Runs `create` once and shares its promise, e.g. creating a queue or table before first use; a failure is retried. */
export function onceUntilFailure(create: () => Promise<unknown>): () => Promise<void> {
  return lazy(async () => {
    await create();
  });
}

/** The promise-returning methods of `T`. */
export type AsyncMethods<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => Promise<unknown> ? K : never]: T[K];
};

/**
 * A stand-in for the object `load()` resolves to: each method call waits for the object (built
 * on first call), then calls it. Lets callers keep `service.get(name)` while the service and the
 * SDK packages behind it load on first use.
 */
export function loadedOnFirstCall<T extends object>(load: () => Promise<T>): AsyncMethods<T> {
  return new Proxy({} as AsyncMethods<T>, {
    get(_target, method) {
      return async (...args: unknown[]) => {
        const target = (await load()) as Record<PropertyKey, (...a: unknown[]) => unknown>;
        return target[method]!(...args);
      };
    },
  });
}
