// The composition root. Nothing here loads an Azure SDK package when the app starts: each client
// (and the modules that need its package) is imported on first use, so an instance pays only for
// the features its triggers use (a secrets request never loads table, blob or certificate code).
import type { CertificatesService } from './certificates/service.js';
import type { WorkerDeps } from './jobs/worker.js';
import type { OperationsDeps } from './operations/lifecycle.js';
import { getConfig, type AppConfig } from './platform/config.js';
import { createCredential } from './platform/credential.js';
import type { ReliableEventPublisher } from './platform/events.js';
import type { IdempotencyStore, TableIdempotencyStore } from './platform/idempotency.js';
import { lazy, loadedOnFirstCall, type AsyncMethods } from './platform/once.js';
import { IDEMPOTENCY_SERVER_KEY, vaultServerKey, vaultServerKeyEntry, WEBHOOK_SIGNING_KEY } from './platform/serverKeys.js';
import { StorageAccess } from './platform/storage.js';
import { createVaultClients, type VaultClients } from './platform/vault.js';
import type { RotationEngine } from './rotation/engine.js';
import type { TableRunRecords } from './rotation/runRecord.js';
import type { SecretsService } from './secrets/service.js';

/** Everything the functions use, built from one configuration; each part on first use. */
export interface Services {
  config: AppConfig;
  vault: VaultClients;
  storage: StorageAccess;
  /** Every event goes through this one publisher; what the queue refuses waits in the outbox. */
  events(): Promise<ReliableEventPublisher>;
  operations(): Promise<OperationsDeps>;
  /** Idempotency-Key records (the timer removes expired ones). */
  idempotency(): Promise<TableIdempotencyStore>;
  secrets: AsyncMethods<SecretsService>;
  certificates: AsyncMethods<CertificatesService>;
  /** What the last rotation runs did. */
  runRecords(): Promise<TableRunRecords>;
  /** A rotation engine that logs to the given invocation. */
  rotation(log: (line: string) => void): Promise<RotationEngine>;
  /** What the certificate job worker needs, logging to the given invocation. */
  worker(log: (line: string) => void): Promise<WorkerDeps>;
}

const quiet = () => undefined;

/** The composition root: the app's services (clients, stores, domain services) for `config`. */
export function createServices(config: AppConfig): Services {
  const credential = lazy(() => createCredential(config));
  const vault = createVaultClients(config, credential);
  const storage = new StorageAccess(config, credential);
  // Operations, idempotency records, the event outbox and run records share the one table.
  const operationsTable = lazy(() => storage.table(config.OPERATIONS_TABLE));

  const events = lazy(async () => {
    const [{ QueueEventPublisher, ReliableEventPublisher }, { TableOutbox }] = await Promise.all([import('./platform/events.js'), import('./platform/outbox.js')]);
    // One try per send: the publisher's own short retries replace the storage client's long ones.
    const queue = await storage.queue(config.EVENTS_QUEUE, { maxTries: 1 });
    return new ReliableEventPublisher(new QueueEventPublisher(queue), new TableOutbox(await operationsTable()));
  });

  const operations = lazy(async (): Promise<OperationsDeps> => {
    const [{ JobQueue }, { TableOperationStore }] = await Promise.all([import('./jobs/queue.js'), import('./operations/tableStore.js')]);
    // Two tries: a caller (or the timer) waiting on a queue that is down learns it in seconds, and
    // the operation is failed at once rather than after the SDK's full back-off.
    const jobs = new JobQueue(await storage.queue(config.JOBS_QUEUE, { maxTries: 2 }));
    return { store: new TableOperationStore(await operationsTable()), queue: jobs, events: await events(), log: quiet };
  });

  const idempotency = lazy(async () => {
    const { TableIdempotencyStore } = await import('./platform/idempotency.js');
    return new TableIdempotencyStore(await operationsTable(), { serverKey: vaultServerKey(await vault.secrets(), IDEMPOTENCY_SERVER_KEY) });
  });
  // Only a write with an Idempotency-Key needs the table.
  const idempotencyOnFirstUse: IdempotencyStore = { run: async (...args) => (await idempotency()).run(...args) };

  const hook = lazy(async () => {
    const { noTargetUpdate, webhookTargetUpdate } = await import('./rotation/targetHook.js');
    if (!config.ROTATION_WEBHOOK_URL) return noTargetUpdate;
    return webhookTargetUpdate(config.ROTATION_WEBHOOK_URL, { signingKey: vaultServerKeyEntry(await vault.secrets(), WEBHOOK_SIGNING_KEY) });
  });

  return {
    config,
    vault,
    storage,
    events,
    operations,
    idempotency,
    secrets: loadedOnFirstCall(
      lazy(async () => {
        const { SecretsService } = await import('./secrets/service.js');
        return new SecretsService({ client: await vault.secrets(), vaultUrl: config.KEYVAULT_URL, idempotency: idempotencyOnFirstUse });
      }),
    ),
    certificates: loadedOnFirstCall(
      lazy(async () => {
        const { CertificatesService } = await import('./certificates/service.js');
        return new CertificatesService({ client: await vault.certificates(), vaultUrl: config.KEYVAULT_URL, operations: await operations() });
      }),
    ),
    runRecords: lazy(async () => new (await import('./rotation/runRecord.js')).TableRunRecords(await operationsTable())),
    rotation: async (log) => {
      const { RotationEngine } = await import('./rotation/engine.js');
      return new RotationEngine({ secrets: await vault.secrets(), events: await events(), hook: await hook(), concurrency: config.ROTATION_CONCURRENCY, log });
    },
    worker: async (log) => {
      const { store, queue } = await operations();
      return {
        certificates: await vault.certificates(),
        operations: store,
        queue,
        events: await events(),
        log,
        pollBudgetMs: config.JOB_POLL_BUDGET_SECONDS * 1000,
      };
    },
  };
}

let processServices: Services | undefined;

/** The services of this process, built on first use from the app settings. */
export function getServices(): Services {
  processServices ??= createServices(getConfig());
  return processServices;
}
