import { vaultHostSlug } from '../platform/config.js';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { DrainSummary } from '../platform/events.js';
import { withRunLease, type RunLease, type RunLeaseOptions } from '../platform/runLease.js';
import type { RunSummary } from './engine.js';
import type { RenewalSummary } from './renewal.js';

export interface ScheduledRotationDeps {
  /** Where the run lease blob lives (container `run-leases`). */
  blobs: BlobServiceClient;
  /** The lease blob's name (default `rotation`). */
  leaseName?: string;
  lease?: RunLeaseOptions;
  /** Sends the events kept while the queue was failing; runs first. Undefined: another run does it. */
  events?: { drainOutbox(): Promise<DrainSummary> };
  /** Rotates the due secrets under the lease. */
  secrets: { run(options: { lease: RunLease }): Promise<RunSummary> };
  /**
   * Starts the due certificate renewals; should check `lease.assertHeld()` before each start.
   * Undefined: this run renews no certificates.
   */
  renewCertificates?: (lease: RunLease) => Promise<RenewalSummary>;
  /** Optional last step (housekeeping), under the same lease. */
  afterRotation?: (lease: RunLease) => Promise<void>;
  log: (line: string) => void;
}

/**
 * The run lease is per vault: apps that manage the same vault take turns, while apps that merely
 * share a storage account (each with its own vault) do not hold up each other's runs.
 */
export const rotationLeaseName = (vaultUrl: string) => `rotation-${vaultHostSlug(vaultUrl)}`;

export type ScheduledRotationResult =
  | { ran: false }
  | {
      ran: true;
      outbox?: DrainSummary;
      secrets?: RunSummary;
      certificates?: RenewalSummary;
      /** Steps that threw (each is logged); the steps after them still ran. */
      failedSteps: string[];
      /** The lease was lost: the steps not yet run were skipped. */
      leaseLost: boolean;
    };

/**
 * One scheduled run: under the run lease, sends the kept events, rotates the due secrets, starts
 * the due certificate renewals, then housekeeping. Once the lease is lost nothing more is started.
 * Returns `ran: false` when another run holds the lease.
 */
export async function runScheduledRotation(deps: ScheduledRotationDeps): Promise<ScheduledRotationResult> {
  const run = await withRunLease(
    deps.blobs,
    deps.leaseName ?? 'rotation',
    async (lease) => {
      const failedSteps: string[] = [];
      const step = async <T>(name: string, work: () => Promise<T>): Promise<T | undefined> => {
        if (lease.signal.aborted) return undefined;
        try {
          return await work();
        } catch (error) {
          if (lease.signal.aborted) return undefined;
          failedSteps.push(name);
          deps.log(`Rotation run: ${name} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
          return undefined;
        }
      };
      const outbox = deps.events ? await step('outbox', () => deps.events!.drainOutbox()) : undefined;
      const secrets = await step('secrets', () => deps.secrets.run({ lease }));
      const certificates = deps.renewCertificates ? await step('certificates', () => deps.renewCertificates!(lease)) : undefined;
      if (deps.afterRotation) await step('housekeeping', () => deps.afterRotation!(lease));
      return { outbox, secrets, certificates, failedSteps };
    },
    deps.lease,
  );
  if (!run.ran) return { ran: false };
  return { ran: true, ...run.result, leaseLost: run.leaseLost || run.result.secrets?.leaseLost === true };
}

/** The one line a run reports (names and counts only). */
export function describeRun(result: ScheduledRotationResult): string {
  if (!result.ran) return 'Another rotation run holds the lease; this run does nothing';
  const parts: string[] = [];
  if (result.secrets) {
    const counts = { rotated: 0, skipped: 0, failed: 0 };
    for (const outcome of result.secrets.outcomes) counts[outcome.status]++;
    parts.push(`${result.secrets.planned} due, ${counts.rotated} rotated, ${counts.skipped} skipped, ${counts.failed} failed, ${result.secrets.invalid} invalid policies`);
  } else {
    parts.push('secrets not rotated');
  }
  parts.push(result.certificates ? `${result.certificates.nearExpiry} certificates near expiry, ${result.certificates.started} renewals started` : 'certificates not checked');
  if (result.outbox && result.outbox.published + result.outbox.kept > 0) {
    parts.push(`${result.outbox.published} kept events published, ${result.outbox.kept} still kept`);
  }
  if (result.leaseLost) parts.push('the run lease was lost and the run stopped');
  if (result.failedSteps.length > 0) parts.push(`failed: ${result.failedSteps.join(', ')}`);
  return `Rotation run: ${parts.join('; ')}`;
}
