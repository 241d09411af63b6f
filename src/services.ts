// The composition root. Nothing here loads an Azure SDK package when the app starts: each client
// (and the modules that need its package) is imported on first use, so an instance pays only for
// the features its triggers use (a secrets request never loads table, blob or certificate code).
import type { CertificatesService } from './certificates/service.js';
import type { BlobInventoryStore } from './inventory/store.js';
import type { WorkerDeps } from './jobs/worker.js';
import type { OperationsDeps } from './operations/lifecycle.js';
import { configuredVaults, DEFAULT_VAULT, getConfig, type AppConfig } from './platform/config.js';
import { createCredential } from './platform/credential.js';
import type { EventPublisher, ReliableEventPublisher } from './platform/events.js';
import type { IdempotencyStore, TableIdempotencyStore } from './platform/idempotency.js';
import { lazy, loadedOnFirstCall, type AsyncMethods } from './platform/once.js';
import { problems } from './platform/problems.js';
import { IDEMPOTENCY_SERVER_KEY, vaultServerKey, vaultServerKeyEntry, WEBHOOK_SIGNING_KEY } from './platform/serverKeys.js';
import { StorageAccess } from './platform/storage.js';
import { createVaultClients, type VaultClients } from './platform/vault.js';
import type { RotationEngine } from './rotation/engine.js';
import type { TableRunRecords } from './rotation/runRecord.js';
import type { SecretsService } from './secrets/service.js';

/** Everything the functions use, built from one configuration; each part on first use. */
export interface Services {
  config: AppConfig;
  /** The vault these services address (`default`: KEYVAULT_URL; others from KEYVAULTS). */
  vaultAlias: string;
  /** That vault's URL. */
  vaultUrl: string;
  /**
   * The same services for another configured vault; VaultNotFound for an unknown alias. A second
   * alias of a vault gives the services of its first (`default` for KEYVAULT_URL's vault).
   */
  inVault(alias: string): Services;
  /** Every vault the app manages, once each, the default vault first. */
  managedVaults(): Services[];
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
  /** Every vault's last inventory snapshot (blob container `inventory`). */
  inventory(): Promise<BlobInventoryStore>;
  /** `log`, with each line naming this vault unless it is the default vault. */
  vaultLog(log: (line: string) => void): (line: string) => void;
  /** The publisher for events about this vault (they carry its alias unless it is the default vault). */
  vaultEvents(): Promise<EventPublisher>;
  /** A rotation engine that logs to the given invocation. */
  rotation(log: (line: string) => void): Promise<RotationEngine>;
  /** What the certificate job worker needs for this vault, logging to the given invocation. */
  worker(log: (line: string) => void): Promise<WorkerDeps>;
}

const quiet = () => undefined;

/** The composition root: the app's services (clients, stores, domain services) for `config`. */
export function createServices(config: AppConfig): Services {
  const credential = lazy(() => createCredential(config));
  const vaultUrls = configuredVaults(config);
  // The app's own keys (idempotency, webhook signing) live in the default vault.
  const vault = createVaultClients(config.KEYVAULT_URL, config.KEYVAULT_LOCAL, credential);
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

  // What is the same whichever vault a request addresses.
  const shared = {
    config,
    storage,
    events,
    operations,
    idempotency,
    runRecords: lazy(async () => new (await import('./rotation/runRecord.js')).TableRunRecords(await operationsTable())),
    inventory: lazy(async () => new (await import('./inventory/store.js')).BlobInventoryStore(await storage.blobService())),
  };

  /** The clients and domain services of one vault, each built on first use. */
  const vaultServices = (alias: string, url: string) => {
    const clients = alias === DEFAULT_VAULT ? vault : createVaultClients(url, config.KEYVAULT_LOCAL, credential, alias);
    const vaultEvents = async (): Promise<EventPublisher> => {
      const publisher = await events();
      return alias === DEFAULT_VAULT ? publisher : { publish: (event) => publisher.publish({ ...event, vault: alias }) };
    };
    const vaultLog = (log: (line: string) => void) => (alias === DEFAULT_VAULT ? log : (line: string) => log(`[vault ${alias}] ${line}`));
    return {
      vaultAlias: alias,
      vaultUrl: url,
      vault: clients,
      vaultEvents,
      vaultLog,
      secrets: loadedOnFirstCall(
        lazy(async () => {
          const { SecretsService } = await import('./secrets/service.js');
          return new SecretsService({ client: await clients.secrets(), vaultUrl: url, vaultAlias: alias, idempotency: idempotencyOnFirstUse });
        }),
      ),
      certificates: loadedOnFirstCall(
        lazy(async () => {
          const { CertificatesService } = await import('./certificates/service.js');
          return new CertificatesService({ client: await clients.certificates(), vaultUrl: url, vaultAlias: alias, operations: await operations() });
        }),
      ),
      worker: async (log: (line: string) => void): Promise<WorkerDeps> => {
        const { store, queue } = await operations();
        return {
          vault: alias,
          certificates: await clients.certificates(),
          operations: store,
          queue,
          events: await events(),
          log: vaultLog(log),
          pollBudgetMs: config.JOB_POLL_BUDGET_SECONDS * 1000,
        };
      },
      rotation: async (log: (line: string) => void) => {
        const [{ RotationEngine }, { rotationTelemetry }] = await Promise.all([import('./rotation/engine.js'), import('./rotation/runTelemetry.js')]);
        return new RotationEngine({
          secrets: await clients.secrets(),
          events: await vaultEvents(),
          hook: await hook(),
          // An upper bound: each run finds its own pace below it from the vault's 429s.
          concurrency: config.ROTATION_CONCURRENCY,
          throttling: clients.throttling,
          log,
          aroundRotation: rotationTelemetry(alias),
        });
      },
    };
  };

  const byAlias = new Map<string, Services>();
  // Each vault goes by the first alias that names it (`default` first): another alias of the same
  // vault gets the same services, so one vault has one set of clients, one throttle gate, one
  // timer run, and its operations and idempotency records one key.
  const vaultKey = (url: string) => new URL(url).href.replace(/\/+$/, '').toLowerCase();
  const firstAlias = new Map<string, string>();
  for (const [alias, url] of Object.entries(vaultUrls)) if (!firstAlias.has(vaultKey(url))) firstAlias.set(vaultKey(url), alias);
  const managedVaults = () => [...firstAlias.values()].map(inVault);
  const inVault = (requested: string): Services => {
    const url = Object.hasOwn(vaultUrls, requested) ? vaultUrls[requested] : undefined;
    if (!url) throw problems.vaultNotFound(requested);
    const alias = firstAlias.get(vaultKey(url))!;
    let services = byAlias.get(alias);
    if (!services) byAlias.set(alias, (services = { ...shared, ...vaultServices(alias, url), inVault, managedVaults }));
    return services;
  };
  return inVault(DEFAULT_VAULT);
}

let processServices: Services | undefined;

/** The services of this process, built on first use from the app settings. */
export function getServices(): Services {
  processServices ??= createServices(getConfig());
  return processServices;
}
