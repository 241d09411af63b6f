// Key Vault carries out deletes, recoveries and purges over a few seconds after accepting them.
// Meanwhile it answers 409 ObjectIsBeingDeleted / ObjectIsBeingRecovered for the name, and the
// object is neither readable as deleted nor as live. The API's synchronous routes wait (bounded)
// for that to pass, so a client can delete and then recover, or purge and then set, in a row.
// Observed behaviour: https://github.com/Azure/azure-sdk-for-net/issues/34322 (set after purge),
// https://github.com/Azure/azure-cli/issues/12722 (purge during a delete).
import { isSettling } from './vaultFailures.js';

/** How long a request waits for Key Vault to finish a step (the service takes about 2 s today;
 * 2020–21 recordings show up to 40 s, beyond which the caller gets the 409 with Retry-After). */
export const SETTLE_WAIT_MS = 10_000;
const SETTLE_RETRY_MS = 1_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `call`, again while Key Vault is still carrying out a step on the name, for at most `waitMs`. */
export async function whenSettled<T>(call: () => Promise<T>, waitMs = SETTLE_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isSettling(error) || Date.now() + SETTLE_RETRY_MS > deadline) throw error;
      await pause(SETTLE_RETRY_MS);
    }
  }
}

/** The part of the SDK's delete / recover pollers this needs. */
export interface SettlingPoller {
  isDone(): boolean;
  poll(): Promise<void>;
}

/** Polls a delete or recover poller until Key Vault has finished (or `waitMs` passed); the step
 * was accepted either way, so running out of time is not an error. */
export async function settle(poller: SettlingPoller, waitMs = SETTLE_WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!poller.isDone() && Date.now() + SETTLE_RETRY_MS <= deadline) {
    await pause(SETTLE_RETRY_MS);
    await poller.poll();
  }
}
