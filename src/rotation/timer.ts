import { sweepStuckOperations } from '../operations/lifecycle.js';
import { InventoryBuilder } from '../inventory/builder.js';
import { DEFAULT_VAULT } from '../platform/config.js';
import { telemetry, withLogProperties } from '../platform/telemetry.js';
import type { Services } from '../services.js';
import { renewDueCertificates } from './renewal.js';
import { describeRun, rotationLeaseName, runScheduledRotation } from './run.js';
import { toRunRecord } from './runRecord.js';
import { expiringCounts } from './runTelemetry.js';

/**
 * One timer run, for every vault the app manages at once (each under its own lease, with its own
 * clients and throttle gate, so one vault's 429s never slow another): rotate due secrets, start
 * due certificate renewals, and write the vault's inventory snapshot from what the run read. The
 * default vault's run also sends the events kept in the outbox and does the housekeeping (stuck
 * operations, expired idempotency records). What each vault's run did is recorded in the
 * operations table (runRecord.ts). Throws when a step failed in any vault, so the host records a
 * failed invocation.
 */
export async function runRotationTimer(services: Services, invocationId: string, log: (line: string) => void): Promise<void> {
  const failures = await Promise.all(
    services.managedVaults().map((vault) =>
      telemetry().inSpan('rotation run vault', { attributes: { 'app.vault': vault.vaultAlias } }, async (span) => {
        const failed = await withLogProperties({ 'app.vault': vault.vaultAlias }, () => runForVault(vault, invocationId, log));
        if (failed.length > 0) span.fail('step-failed');
        return failed;
      }),
    ),
  );
  const failed = failures.flat();
  if (failed.length > 0) throw new Error(`Rotation run steps failed: ${failed.join(', ')}`);
}

/** One vault's run; the names of the steps that failed (prefixed with the vault's alias unless default). */
async function runForVault(services: Services, invocationId: string, log: (line: string) => void): Promise<string[]> {
  const alias = services.vaultAlias;
  const isDefault = alias === DEFAULT_VAULT;
  const vaultLog = services.vaultLog(log);
  const startedAt = new Date();
  const [blobs, events, vaultEvents, operations, secrets, inventoryStore] = await Promise.all([
    services.storage.blobService(),
    services.events(),
    services.vaultEvents(),
    services.operations(),
    services.rotation(vaultLog),
    services.inventory(),
  ]);
  const inventory = new InventoryBuilder({ alias, url: services.vaultUrl }, startedAt, await inventoryStore.read(services.vaultUrl).catch(() => undefined));
  const result = await runScheduledRotation({
    blobs,
    leaseName: rotationLeaseName(services.vaultUrl),
    // One outbox for every vault: only the default vault's run sends what it kept.
    events: isDefault ? events : undefined,
    secrets: { run: ({ lease }) => secrets.run({ lease, observe: inventory.secret }) },
    renewCertificates: async (lease) =>
      renewDueCertificates({
        certificates: await services.vault.certificates(),
        operations: operations.store,
        vault: alias,
        renew: (name) =>
          telemetry().inSpan('renew certificate', { attributes: { 'app.vault': alias, 'app.certificate.name': name } }, () =>
            withLogProperties({ 'app.certificate.name': name }, () => services.certificates.beginRenewal(name)),
          ),
        events: vaultEvents,
        lease,
        observe: inventory.certificate,
        log: vaultLog,
      }),
    afterRotation: isDefault
      ? async () => {
          await sweepStuckOperations({ ...operations, log });
          await (await services.idempotency()).removeExpired();
        }
      : undefined,
    log: vaultLog,
  });
  const failed = result.ran ? [...result.failedSteps] : [];
  // A run that lost its lease leaves the snapshot to the run that holds it now.
  if (result.ran && !result.leaseLost) {
    inventory.rotations(result.secrets?.outcomes ?? [], new Date());
    const complete = !failed.includes('secrets') && !failed.includes('certificates');
    try {
      const snapshot = inventory.build('rotation-run', complete);
      telemetry().metrics.expiring(alias, expiringCounts(snapshot.items, new Date()));
      await inventoryStore.write(snapshot);
    } catch (error) {
      failed.push('inventory');
      vaultLog(`Rotation run: inventory failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
    }
  }
  vaultLog(describeRun(result));
  const recorded = result.ran ? { ...result, failedSteps: failed } : result;
  await (await services.runRecords()).record(toRunRecord(invocationId, startedAt, new Date(), recorded), alias);
  return failed.map((step) => (isDefault ? step : `${alias}/${step}`));
}
