import type { CertificateClient, CertificateProperties } from '@azure/keyvault-certificates';
import type { RenewalStatus } from '../inventory/model.js';
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
  /** The vault's alias: renewal bookkeeping is kept per vault. */
  vault: string;
  /** Starts a renewal exactly as `POST /api/certificates/{name}/renew` does. */
  renew: (name: string) => Promise<{ operation: StoredOperation; created: boolean }>;
  events: EventPublisher;
  /** The run's lease: no renewal starts once it is lost. */
  lease?: RunLease;
  /** Only look: no renewal starts, no event is published, no bookkeeping is written (inventory refresh). */
  inspectOnly?: boolean;
  /** Told where each certificate's renewal stands (the inventory). */
  observe?: (properties: CertificateProperties, renewal: RenewalView) => void;
  log: (line: string) => void;
  now?: () => Date;
}

/** Where one certificate's renewal stands after the run looked at it. */
export interface RenewalView {
  state: RenewalStatus;
  dueAt?: string;
  operationId?: string;
  retryAt?: string;
  problem?: string;
  /** The last renewal that failed (its operation's error), or this run's failure to start one. */
  lastFailure?: { at: string; reason: string };
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
  const publish = async (event: Parameters<EventPublisher['publish']>[0]) => {
    if (!deps.inspectOnly) await deps.events.publish(event);
  };
  for await (const properties of deps.certificates.listPropertiesOfCertificates()) {
    const name = properties.name;
    if (!name) continue;
    if (properties.enabled === false) {
      deps.observe?.(properties, { state: 'none' });
      continue;
    }
    let dueAt: Date | undefined;
    try {
      dueAt = renewalDueAt(properties);
    } catch (error) {
      const problem = (error as Error).message;
      deps.observe?.(properties, { state: 'invalid', problem });
      deps.log(`Certificate ${name}: ${problem}`);
      await publish({ type: 'OperationFailed', name, reason: `invalid renewal policy: ${problem}` });
      continue;
    }
    if (!dueAt || dueAt > now) {
      deps.observe?.(properties, dueAt ? { state: 'scheduled', dueAt: dueAt.toISOString() } : { state: 'none' });
      continue;
    }
    summary.nearExpiry++;
    await publish({ type: 'CertificateNearExpiry', name, version: properties.version, reason: `expires ${properties.expiresOn?.toISOString()}` });

    await deps.lease?.assertHeld();
    try {
      const policy = await deps.certificates.getCertificatePolicy(name, { abortSignal: deps.lease?.signal });
      if (policy.lifetimeActions?.some((action) => action.action === 'AutoRenew')) {
        deps.observe?.(properties, { state: 'auto-renew', dueAt: dueAt.toISOString() });
        continue;
      }
      const { started, view } = await startRenewal(name, now, deps);
      deps.observe?.(properties, { ...view, dueAt: dueAt.toISOString() });
      if (started) summary.started++;
    } catch (error) {
      // One certificate's failure does not stop the others' renewals; the next run tries again.
      summary.failed++;
      const reason = `renewal not started (${error instanceof Error ? error.name : 'error'})`;
      deps.observe?.(properties, { state: 'due', dueAt: dueAt.toISOString(), lastFailure: { at: now.toISOString(), reason } });
      deps.log(`Certificate ${name}: ${reason}`);
    }
  }
  return summary;
}

/** Starts the renewal unless one is running or the back-off says wait (inspect-only: says what it would do). */
async function startRenewal(name: string, now: Date, deps: RenewalDeps): Promise<{ started: boolean; view: RenewalView }> {
  const target = { name, vault: deps.vault };
  const state = await deps.operations.getRenewalState(target);
  let lastFailure: RenewalView['lastFailure'];
  if (state.lastOperationId) {
    const last = await deps.operations.get(state.lastOperationId);
    if (last && !isTerminal(last.status)) return { started: false, view: { state: 'in-progress', operationId: last.id } };
    if (last?.status === 'Succeeded' && state.failures > 0) state.failures = 0;
    if (last?.status === 'Failed') {
      lastFailure = { at: last.updatedAt, reason: last.error?.message ?? 'the renewal failed' };
      if (!state.retryAt) {
        state.failures++;
        state.retryAt = new Date(now.getTime() + backoffMs(state.failures)).toISOString();
        if (!deps.inspectOnly) {
          await deps.operations.saveRenewalState(target, state);
          deps.log(`Certificate ${name}: renewal failed ${state.failures} time(s) in a row; next attempt after ${state.retryAt}`);
        }
      }
    }
  }
  if (state.retryAt && Date.parse(state.retryAt) > now.getTime()) {
    return { started: false, view: { state: 'backing-off', retryAt: state.retryAt, operationId: state.lastOperationId, lastFailure } };
  }
  if (deps.inspectOnly) return { started: false, view: { state: 'due', lastFailure } };

  const { operation, created } = await deps.renew(name);
  if (!created) return { started: false, view: { state: 'in-progress', operationId: operation.id } };
  // Saved even when the job could not be queued (the operation is then Failed): the back-off counts it.
  await deps.operations.saveRenewalState(target, { failures: state.failures, lastOperationId: operation.id });
  if (operation.status === 'Failed') {
    deps.log(`Certificate ${name}: renewal could not be queued (operation ${operation.id})`);
    const reason = operation.error?.message ?? 'the renewal job could not be queued';
    return { started: false, view: { state: 'due', operationId: operation.id, lastFailure: { at: operation.updatedAt, reason } } };
  }
  deps.log(`Certificate ${name}: renewal started (operation ${operation.id})`);
  return { started: true, view: { state: 'in-progress', operationId: operation.id } };
}
