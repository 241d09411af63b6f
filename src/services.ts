import { CertificatesService } from './certificates/service.js';
import { JobQueue } from './jobs/queue.js';
import type { WorkerDeps } from './jobs/worker.js';
import type { OperationsDeps } from './operations/lifecycle.js';
import { TableOperationStore } from './operations/tableStore.js';
import { getConfig, type AppConfig } from './platform/config.js';
import { createCredential } from './platform/credential.js';
import { QueueEventPublisher, ReliableEventPublisher } from './platform/events.js';
import { TableIdempotencyStore } from './platform/idempotency.js';
import { TableOutbox } from './platform/outbox.js';
import { IDEMPOTENCY_SERVER_KEY, vaultServerKey, vaultServerKeyEntry, WEBHOOK_SIGNING_KEY } from './platform/serverKeys.js';
import { StorageAccess } from './platform/storage.js';
import { createVaultClients, type VaultClients } from './platform/vault.js';
import { RotationEngine } from './rotation/engine.js';
import { TableRunRecords } from './rotation/runRecord.js';
import { noTargetUpdate, webhookTargetUpdate } from './rotation/targetHook.js';
import { SecretsService } from './secrets/service.js';

/** Everything the functions use, built from one configuration. */
export interface Services {
  config: AppConfig;
  vault: VaultClients;
  storage: StorageAccess;
  /** Every event goes through this one publisher; what the queue refuses waits in the outbox. */
  events: ReliableEventPublisher;
  jobs: JobQueue;
  operations: OperationsDeps;
  /** Idempotency-Key records (the timer removes expired ones). */
  idempotency: TableIdempotencyStore;
  secrets: SecretsService;
  certificates: CertificatesService;
  /** What the last rotation runs did. */
  runRecords: TableRunRecords;
  /** A rotation engine that logs to the given invocation. */
  rotation(log: (line: string) => void): RotationEngine;
  /** What the certificate job worker needs, logging to the given invocation. */
  worker(log: (line: string) => void): WorkerDeps;
}

const quiet = () => undefined;

/** The composition root: builds the app's services (clients, stores, domain services) for `config`. */
export function createServices(config: AppConfig): Services {
  const credential = createCredential(config);
  const vault = createVaultClients(config, credential);
  const storage = new StorageAccess(config, credential);
  // One try per send: the publisher's own short retries replace the storage client's long ones.
  // Operations, idempotency records, the event outbox and run records share the one table.
  const operationsTable = storage.table(config.OPERATIONS_TABLE);
  const events = new ReliableEventPublisher(new QueueEventPublisher(storage.queue(config.EVENTS_QUEUE, { maxTries: 1 })), new TableOutbox(operationsTable));
  // Two tries: a caller (or the timer) waiting on a queue that is down learns it in seconds, and
  // the operation is failed at once rather than after the SDK's full back-off.
  const jobs = new JobQueue(storage.queue(config.JOBS_QUEUE, { maxTries: 2 }));
  const operations: OperationsDeps = { store: new TableOperationStore(operationsTable), queue: jobs, events, log: quiet };
  const idempotency = new TableIdempotencyStore(operationsTable, { serverKey: vaultServerKey(vault.secrets, IDEMPOTENCY_SERVER_KEY) });
  const hook = config.ROTATION_WEBHOOK_URL
    ? webhookTargetUpdate(config.ROTATION_WEBHOOK_URL, { signingKey: vaultServerKeyEntry(vault.secrets, WEBHOOK_SIGNING_KEY) })
    : noTargetUpdate;
  return {
    config,
    vault,
    storage,
    events,
    jobs,
    operations,
    idempotency,
    secrets: new SecretsService({ client: vault.secrets, vaultUrl: config.KEYVAULT_URL, idempotency }),
    certificates: new CertificatesService({ client: vault.certificates, vaultUrl: config.KEYVAULT_URL, operations }),
    runRecords: new TableRunRecords(operationsTable),
    rotation: (log) => new RotationEngine({ secrets: vault.secrets, events, hook, concurrency: config.ROTATION_CONCURRENCY, log }),
    worker: (log) => ({
      certificates: vault.certificates,
      operations: operations.store,
      queue: jobs,
      events,
      log,
      pollBudgetMs: config.JOB_POLL_BUDGET_SECONDS * 1000,
    }),
  };
}

let processServices: Services | undefined;

/** The services of this process, built on first use from the app settings. */
export function getServices(): Services {
  processServices ??= createServices(getConfig());
  return processServices;
}
