import { sweepStuckOperations } from '../operations/lifecycle.js';
import { configuredVaults, DEFAULT_VAULT } from '../platform/config.js';
import type { Services } from '../services.js';
import { renewDueCertificates } from './renewal.js';
import { describeRun, rotationLeaseName, runScheduledRotation } from './run.js';
import { toRunRecord } from './runRecord.js';

/**
 * One timer run, for every vault the app manages at once (each under its own lease, with its own
 * clients and throttle gate, so one vault's 429s never slow another): rotate due secrets; the
 * default vault's run also sends the events kept in the outbox, renews due certificates and does
 * the housekeeping (stuck operations, expired idempotency records). What each vault's run did is recorded in the operations table
 * (runRecord.ts). Throws when a step failed in any vault, so the host records a failed invocation.
 */
export async function runRotationTimer(services: Services, invocationId: string, log: (line: string) => void): Promise<void> {
  const aliases = vaultsToRotate(configuredVaults(services.config));
  const failures = await Promise.all(aliases.map((alias) => runForVault(services.inVault(alias), invocationId, log)));
  const failed = failures.flat();
  if (failed.length > 0) throw new Error(`Rotation run steps failed: ${failed.join(', ')}`);
}

/**
 * One alias per vault, the first that names it (`default` comes first). An alias that names a
 * vault again (`npm start -- --vaults main,payments` gives KEYVAULTS `main=` the default vault's
 * URL) gets no run of its own: it would contend for the same lease, and could win it from the
 * default vault's run, which alone sends kept events, renews certificates and keeps house.
 */
export function vaultsToRotate(vaults: Record<string, string>): string[] {
  const leases = new Set<string>();
  const aliases: string[] = [];
  for (const [alias, url] of Object.entries(vaults)) {
    if (leases.has(rotationLeaseName(url))) continue;
    leases.add(rotationLeaseName(url));
    aliases.push(alias);
  }
  return aliases;
}

/** One vault's run; the names of the steps that failed (prefixed with the vault's alias unless default). */
async function runForVault(services: Services, invocationId: string, log: (line: string) => void): Promise<string[]> {
  const isDefault = services.vaultAlias === DEFAULT_VAULT;
  const vaultLog = isDefault ? log : (line: string) => log(`[vault ${services.vaultAlias}] ${line}`);
  const startedAt = new Date();
  const [blobs, events, operations, secrets] = await Promise.all([services.storage.blobService(), services.events(), services.operations(), services.rotation(vaultLog)]);
  const result = await runScheduledRotation({
    blobs,
    leaseName: rotationLeaseName(services.vaultUrl),
    // One outbox for every vault: only the default vault's run sends what it kept.
    events: isDefault ? events : undefined,
    secrets,
    // Renewal state is kept per certificate name: certificates renew in the default vault only, for now.
    renewCertificates: isDefault
      ? async (lease) =>
          renewDueCertificates({
            certificates: await services.vault.certificates(),
            operations: operations.store,
            renew: (name) => services.certificates.beginRenewal(name),
            events,
            lease,
            log: vaultLog,
          })
      : undefined,
    afterRotation: isDefault
      ? async () => {
          await sweepStuckOperations({ ...operations, log });
          await (await services.idempotency()).removeExpired();
        }
      : undefined,
    log: vaultLog,
  });
  vaultLog(describeRun(result));
  await (await services.runRecords()).record(toRunRecord(invocationId, startedAt, new Date(), result), services.vaultAlias);
  if (!result.ran) return [];
  return result.failedSteps.map((step) => (isDefault ? step : `${services.vaultAlias}/${step}`));
}
