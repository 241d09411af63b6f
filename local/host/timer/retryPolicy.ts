// Function-level retry (`retry` in app.timer) as the host applies it to timer triggers:
// fixedDelay or exponentialBackoff, maxRetryCount -1 meaning without end.

export interface RetryPolicy {
  maxRetryCount: number;
  /** Delay before retry number `retryCount` (1 for the first retry). */
  delayMs(retryCount: number): number;
}

interface RpcRetryOptions {
  retryStrategy?: string;
  strategy?: string;
  maxRetryCount?: number;
  delayInterval?: RpcDuration;
  minimumInterval?: RpcDuration;
  maximumInterval?: RpcDuration;
}

type RpcDuration = { seconds?: number | string; nanos?: number } | undefined;

export function readRetryPolicy(retryOptions: unknown, functionName: string, random: () => number = Math.random): RetryPolicy | undefined {
  if (retryOptions === undefined || retryOptions === null) return undefined;
  const options = retryOptions as RpcRetryOptions;
  const strategy = options.retryStrategy ?? options.strategy;
  const maxRetryCount = options.maxRetryCount;
  const fail = (why: string) => new Error(`Function '${functionName}': retry ${why}`);
  if (typeof maxRetryCount !== 'number' || !Number.isInteger(maxRetryCount) || maxRetryCount < -1) {
    throw fail('needs an integer maxRetryCount of -1 or more');
  }
  if (strategy === 'fixedDelay') {
    const delay = durationMs(options.delayInterval);
    if (delay === undefined) throw fail("with strategy 'fixedDelay' needs delayInterval");
    return { maxRetryCount, delayMs: () => delay };
  }
  if (strategy === 'exponentialBackoff') {
    const min = durationMs(options.minimumInterval);
    const max = durationMs(options.maximumInterval);
    if (min === undefined || max === undefined || max < min) {
      throw fail("with strategy 'exponentialBackoff' needs minimumInterval <= maximumInterval");
    }
    return {
      maxRetryCount,
      // Doubling from the minimum with ±20 % jitter, capped at the maximum.
      delayMs: (retryCount) => Math.min(max, Math.round(min * 2 ** (retryCount - 1) * (0.8 + 0.4 * random()))),
    };
  }
  throw fail(`strategy '${String(strategy)}' is not 'fixedDelay' or 'exponentialBackoff'`);
}

function durationMs(duration: RpcDuration): number | undefined {
  if (!duration) return undefined;
  return Number(duration.seconds ?? 0) * 1000 + Math.round((duration.nanos ?? 0) / 1e6);
}
