import { getConfig } from '../platform/config.js';
import { getStorage } from '../platform/storage.js';
import { getVaultClients } from '../platform/vault.js';
import { OperationStore } from '../operations/store.js';
import { JobQueue } from './queue.js';

let operations: OperationStore | undefined;
let queue: JobQueue | undefined;

/** The process's operation store (Table `OPERATIONS_TABLE`). */
export function getOperationStore(): OperationStore {
  const config = getConfig();
  operations ??= new OperationStore(getStorage(config).table(config.OPERATIONS_TABLE));
  return operations;
}

/** The process's job queue (`JOBS_QUEUE`). */
export function getJobQueue(): JobQueue {
  const config = getConfig();
  queue ??= new JobQueue(getStorage(config).queue(config.JOBS_QUEUE));
  return queue;
}

export function getCertificateClient() {
  return getVaultClients(getConfig()).certificates;
}
