import { RestError } from '@azure/core-rest-pipeline';
import type { BlobServiceClient } from '@azure/storage-blob';

const LEASE_SECONDS = 60;

/**
 * A blob lease held for the length of a run, so that overlapping runs (two timer hosts, a slow run
 * meeting the next schedule) do not work at once. Renewed in the background while held.
 */
export async function withRunLease<T>(blobs: BlobServiceClient, name: string, run: () => Promise<T>): Promise<{ ran: true; result: T } | { ran: false }> {
  const container = blobs.getContainerClient('run-leases');
  await container.createIfNotExists();
  const blob = container.getBlockBlobClient(name);
  if (!(await blob.exists())) await blob.upload('', 0).catch((error: unknown) => (isConflict(error) ? undefined : Promise.reject(error)));
  const lease = blob.getBlobLeaseClient();
  try {
    await lease.acquireLease(LEASE_SECONDS);
  } catch (error) {
    if (isConflict(error)) return { ran: false };
    throw error;
  }
  const renewal = setInterval(() => void lease.renewLease().catch(() => undefined), (LEASE_SECONDS / 3) * 1000);
  try {
    return { ran: true, result: await run() };
  } finally {
    clearInterval(renewal);
    await lease.releaseLease().catch(() => undefined);
  }
}

const isConflict = (error: unknown) => error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412);
