import type { CertificateClient, CertificateProperties } from '@azure/keyvault-certificates';
import { Duration } from 'luxon';
import { isTerminal, type StoredOperation } from '../operations/model.js';
import type { OperationStore } from '../operations/store.js';
import type { EventPublisher } from '../platform/events.js';
import type { RunLease } from '../platform/runLease.js';

export const RENEW_BEFORE_TAG = 'renew-before';
const HOUR_MS = 3_600_000;
const MAX_BACKOFF_MS = 24 * HOUR_MS;

export interface RenewalDeps {
  certificates: CertificateClient;
  operations: OperationStore;
  /** Starts a renewal exactly as `POST /api/certificates/{name}/renew` does. */
  renew: (name: string) => Promise<{ operation: StoredOperation; created: boolean }>;
  events: EventPublisher;
  /** The run's lease: no renewal starts once it is lost. */
  lease?: RunLease;
  log: (line: string) => void;
  now?: () => Date;
}

export interface RenewalSummary {
  nearExpiry: number;
  started: number;
  /** Certificates whose renewal could not be checked or started this run. */
  failed: number;
}

/** After n failed renewals in a row, wait 1 h · 2^(n−1), at most a day. */
export const backoffMs = (failures: number) => Math.min(MAX_BACKOFF_MS, HOUR_MS * 2 ** Math.max(0, failures - 1));

/**
 * When renewal becomes due: `renew-before` (ISO 8601 duration) before expiry, or by default once
 * the last third of the validity has begun. Throws naming the tag when it is invalid.
 */
export function renewalDueAt(properties: Pick<CertificateProperties, 'notBefore' | 'expiresOn' | 'tags'>): Date | undefined {
  if (!properties.expiresOn) return undefined;
  const tag = properties.tags?.[RENEW_BEFORE_TAG];
  if (tag !== undefined) {
    const before = Duration.fromISO(tag);
    if (!before.isValid || before.toMillis() <= 0) throw new Error(`tag ${RENEW_BEFORE_TAG} is not a positive ISO 8601 duration such as P30D`);
    return new Date(properties.expiresOn.getTime() - before.toMillis());
  }
  if (!properties.notBefore) return undefined;
  const validity = properties.expiresOn.getTime() - properties.notBefore.getTime();
  return new Date(properties.expiresOn.getTime() - validity / 3);
}

/**
 * Starts a renewal job for every certificate in its renewal window whose policy does not let Key
 * Vault renew it itself (AutoRenew), at most one active per name, backing off after failures.
 */
export async function renewDueCertificates(deps: RenewalDeps): Promise<RenewalSummary> {
  const now = deps.now?.() ?? new Date();
  const summary: RenewalSummary = { nearExpiry: 0, started: 0, failed: 0 };
  for await (const properties of deps.certificates.listPropertiesOfCertificates()) {
    const name = properties.name;
    if (!name || properties.enabled === false) continue;
    let dueAt: Date | undefined;
    try {
      dueAt = renewalDueAt(properties);
    } catch (error) {
      deps.log(`Certificate ${name}: ${(error as Error).message}`);
      await deps.events.publish({ type: 'OperationFailed', name, reason: `invalid renewal policy: ${(error as Error).message}` });
      continue;
    }
    if (!dueAt || dueAt > now) continue;
    summary.nearExpiry++;
    await deps.events.publish({ type: 'CertificateNearExpiry', name, version: properties.version, reason: `expires ${properties.expiresOn?.toISOString()}` });

    await deps.lease?.assertHeld();
    try {
      const policy = await deps.certificates.getCertificatePolicy(name, { abortSignal: deps.lease?.signal });
      if (policy.lifetimeActions?.some((action) => action.action === 'AutoRenew')) continue;
      if (await startRenewal(name, now, deps)) summary.started++;
    } catch (error) {
      // One certificate's failure does not stop the others' renewals; the next run tries again.
      summary.failed++;
      deps.log(`Certificate ${name}: renewal not started (${error instanceof Error ? error.name : 'error'})`);
    }
  }
  return summary;
}

async function startRenewal(name: string, now: Date, deps: RenewalDeps): Promise<boolean> {
  const state = await deps.operations.getRenewalState(name);
  if (state.lastOperationId) {
    const last = await deps.operations.get(state.lastOperationId);
    if (last && !isTerminal(last.status)) return false;
    if (last?.status === 'Succeeded' && state.failures > 0) state.failures = 0;
    if (last?.status === 'Failed' && !state.retryAt) {
      state.failures++;
      state.retryAt = new Date(now.getTime() + backoffMs(state.failures)).toISOString();
      await deps.operations.saveRenewalState(name, state);
      deps.log(`Certificate ${name}: renewal failed ${state.failures} time(s) in a row; next attempt after ${state.retryAt}`);
    }
  }
  if (state.retryAt && Date.parse(state.retryAt) > now.getTime()) return false;

  const { operation, created } = await deps.renew(name);
  if (!created) return false;
  // Saved even when the job could not be queued (the operation is then Failed): the back-off counts it.
  await deps.operations.saveRenewalState(name, { failures: state.failures, lastOperationId: operation.id });
  if (operation.status === 'Failed') {
    deps.log(`Certificate ${name}: renewal could not be queued (operation ${operation.id})`);
    return false;
  }
  deps.log(`Certificate ${name}: renewal started (operation ${operation.id})`);
  return true;
}
