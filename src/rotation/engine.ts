import { createHash, randomUUID } from 'node:crypto';
import { isRestError } from '@azure/core-rest-pipeline';
import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets';
import { abortableDelay } from '../platform/delay.js';
import { classifyVaultFailure } from '../platform/vaultFailures.js';
import type { ThrottleSignal } from '../platform/throttleGate.js';
import type { EventPublisher } from '../platform/events.js';
import { LeaseLostError, type RunLease } from '../platform/runLease.js';
import { dueAt, expiryFor, readPolicy, TAGS, type PolicyReading, type RotationPolicy } from './policy.js';
import type { TargetUpdateHook } from './targetHook.js';
import { AdaptiveConcurrency } from './concurrency.js';

export interface RotationDeps {
  secrets: SecretClient;
  events: EventPublisher;
  hook: TargetUpdateHook;
  /**
   * Most rotations of a run in flight at once (ROTATION_CONCURRENCY). Within it the run finds its
   * own pace: see AdaptiveConcurrency.
   */
  concurrency: number;
  /** Where a run's concurrency starts (default 8, or `concurrency` when lower). */
  initialConcurrency?: number;
  /** The vault's 429s, also those the SDK retried away: each lowers the run's concurrency. */
  throttling?: ThrottleSignal;
  log: (line: string) => void;
  now?: () => Date;
  /**
   * Longest one Key Vault call may take, the SDK's retries included (default 15 s). Must be
   * shorter than the run lease, so that no call of a run outlives its lease.
   */
  callTimeoutMs?: number;
  /** Longest random wait before each rotation of a run, spreading the writes (default 50 ms). */
  jitterMs?: number;
  /** Instrumentation hook (telemetry): runs each secret's rotation, e.g. in a span of its own. */
  aroundRotation?: (item: PlannedRotation, rotate: () => Promise<RotationOutcome>) => Promise<RotationOutcome>;
}

export interface PlannedRotation {
  name: string;
  /**
   * When the latest version the plan saw was created (lists carry no version ids); the rotation
   * only goes ahead if the latest version is still that one.
   */
  basis: string;
  policy: RotationPolicy;
  rotationId: string;
}

export type RotationOutcome =
  { name: string; status: 'rotated'; version: string } | { name: string; status: 'skipped'; reason: string } | { name: string; status: 'failed'; reason: string };

export interface RunSummary {
  planned: number;
  invalid: number;
  outcomes: RotationOutcome[];
  /** The run lease was lost: the run stopped, the secrets it did not get to are skipped. */
  leaseLost: boolean;
}

/** Told about every secret the plan reads (the inventory), with its rotation policy as read from its tags. */
export type SecretObserver = (properties: SecretProperties, reading: PolicyReading) => void;

/** The skip reason of every secret a run left because it lost its lease. */
export const LEASE_LOST = 'lease lost';

/** Throttled even after the SDK's own retries: wait at least this long before trying the secret again. */
interface Throttled {
  retryAfterMs: number;
}
const DEFAULT_CALL_TIMEOUT_MS = 15_000;
const NEAR_EXPIRY_MS = 30 * 86_400_000;
const MAX_THROTTLED_ATTEMPTS = 5;
const NOTICE_CONCURRENCY = 8;

/** One rotation id per (secret, version it replaces): two runs planning the same rotation agree on it. */
const rotationIdFor = (name: string, basis: string) => createHash('sha256').update(`${name.toLowerCase()}/${basis}`).digest('hex').slice(0, 32);
const basisOf = (properties: Pick<SecretProperties, 'createdOn'>) => properties.createdOn?.toISOString() ?? '';

/** Rotates secrets according to their tags, for the timer and for rotate-now. */
export class RotationEngine {
  constructor(private readonly deps: RotationDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** A signal for one Key Vault call: its timeout, and the run's lease when there is one. */
  private callSignal(lease?: RunLease): AbortSignal {
    const timeout = AbortSignal.timeout(this.deps.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
    return lease ? AbortSignal.any([lease.signal, timeout]) : timeout;
  }

  /**
   * Reads properties only (never values), page by page, and returns the secrets that are due
   * (each also handed to `onDue` as soon as its page is read). The SDK passes the call's signal to
   * the first page request only, so every page is also raced against a fresh signal: a hung page
   * request is abandoned (it is a read, and harmless), as is the listing once `stop` aborts.
   */
  async plan(
    lease?: RunLease,
    options: { observe?: SecretObserver; onDue?: (item: PlannedRotation) => void; stop?: AbortSignal } = {},
  ): Promise<{ due: PlannedRotation[]; invalid: number }> {
    const { observe, onDue, stop } = options;
    const due: PlannedRotation[] = [];
    let invalid = 0;
    // Events about what the listing found (near expiry, invalid policy), sent after it, a few at a time.
    const notices: (() => Promise<void>)[] = [];
    const pages = this.deps.secrets.listPropertiesOfSecrets({ abortSignal: this.callSignal(lease) }).byPage();
    for (;;) {
      const page = await untilAborted(pages.next(), stop ? AbortSignal.any([stop, this.callSignal(lease)]) : this.callSignal(lease));
      if (page.done) break;
      for (const properties of page.value) {
        const reading = readPolicy(properties.tags);
        observe?.(properties, reading);
        if (properties.managed || properties.enabled === false) continue;
        if (reading.kind === 'none') {
          notices.push(() => this.warnIfExpiring(properties));
          continue;
        }
        if (reading.kind === 'invalid') {
          invalid++;
          notices.push(() => this.reportInvalid(properties, reading.tag, reading.reason));
          continue;
        }
        const at = dueAt(reading.policy, properties);
        if (at && at <= this.now()) {
          const basis = basisOf(properties);
          const item = { name: properties.name, basis, policy: reading.policy, rotationId: rotationIdFor(properties.name, basis) };
          due.push(item);
          onDue?.(item);
        }
      }
    }
    await Promise.all(
      Array.from({ length: Math.min(NOTICE_CONCURRENCY, notices.length) }, async () => {
        for (let notice = notices.shift(); notice; notice = notices.shift()) await notice();
      }),
    );
    return { due, invalid };
  }

  /**
   * Rotates the due secrets with bounded concurrency and a little jitter, starting each as soon as
   * the listing has found it (the listing's pages are not a wait before the first write). With a
   * lease, the lease is confirmed right before every write, and the run stops once it is lost: the
   * secrets it has not rotated are reported skipped (`lease lost`), for the next run. A listing
   * that fails stops further starts; the run throws once the rotations in flight have ended.
   */
  async run(options: { lease?: RunLease; observe?: SecretObserver } = {}): Promise<RunSummary> {
    const { lease } = options;
    const pace = new AdaptiveConcurrency({ max: this.deps.concurrency, initial: this.deps.initialConcurrency });
    const run: RunState = { lease, stopped: false, pace };
    const outcomes: RotationOutcome[] = [];
    // Woken whenever the listing finds a due secret or ends, a rotation ends or the vault throttles.
    let wake = () => undefined as void;
    const stopListening = this.deps.throttling?.onThrottled((retryAfterMs) => {
      pace.throttled(retryAfterMs);
      wake();
    });
    const due: PlannedRotation[] = [];
    const listing: { done: boolean; invalid: number; failure?: { error: unknown } } = { done: false, invalid: 0 };
    // Aborted when the run stops starting rotations before the listing has ended.
    const stopListing = new AbortController();
    const onDue = (item: PlannedRotation) => {
      due.push(item);
      wake();
    };
    const listed = this.plan(lease, { observe: options.observe, onDue, stop: stopListing.signal })
      .then(
        ({ invalid }) => void (listing.invalid = invalid),
        (error: unknown) => void (listing.failure = { error }),
      )
      .finally(() => {
        listing.done = true;
        wake();
      });
    const running = new Set<Promise<void>>();
    let next = 0;
    // A rotation that threw (a bug: rotateInRun reports every vault failure): no more start, and
    // the run throws once the others have ended.
    let crashed: { error: unknown } | undefined;
    try {
      while (!run.stopped && !crashed && !listing.failure) {
        if (next >= due.length) {
          if (listing.done) break;
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        if (!pace.canStart()) {
          const changed = new Promise<void>((resolve) => (wake = resolve));
          const pause = pace.pauseMs();
          await (pause > 0 ? Promise.race([changed, abortableDelay(pause, lease?.signal).catch(() => undefined)]) : changed);
          if (lease?.signal.aborted && running.size === 0) break;
          continue;
        }
        const item = due[next++]!;
        const ticket = pace.start();
        const rotation = (async () => {
          await abortableDelay(Math.random() * (this.deps.jitterMs ?? 50), lease?.signal).catch(() => undefined);
          const outcome = await this.instrumented(item, () => this.rotateInRun(item, run));
          outcomes.push(outcome);
          pace.finished(ticket, !(outcome.status === 'skipped' && outcome.reason === LEASE_LOST));
        })()
          .catch((error: unknown) => void (crashed ??= { error }))
          .finally(() => {
            running.delete(rotation);
            wake();
          });
        running.add(rotation);
      }
      if (!listing.done) stopListing.abort();
      await Promise.all(running);
      await listed;
    } finally {
      stopListening?.();
    }
    if (crashed) throw crashed.error;
    const leaseLost = run.stopped || lease?.signal.aborted === true;
    if (listing.failure && !leaseLost) throw listing.failure.error;
    for (const item of due.slice(next)) outcomes.push({ name: item.name, status: 'skipped', reason: LEASE_LOST });
    if (pace.stats.throttled > 0) {
      this.deps.log(
        `Rotation run: the vault answered 429 ${pace.stats.throttled} times; concurrency reached ${pace.stats.peak} (at most ${this.deps.concurrency}), lowered ${pace.stats.decreases} times, ended at ${pace.limit}`,
      );
    }
    return { planned: due.length, invalid: listing.invalid, outcomes, leaseLost };
  }

  /** Rotate-now: the secret's own policy, or the default generator when it has none. */
  async rotateNow(name: string): Promise<RotationOutcome> {
    const current = await this.deps.secrets.getSecret(name, { abortSignal: this.callSignal() });
    const reading = readPolicy(current.properties.tags, 'optional');
    if (reading.kind === 'invalid') return { name, status: 'failed', reason: `tag ${reading.tag} ${reading.reason}` };
    if (reading.kind !== 'policy') return { name, status: 'failed', reason: 'it has no rotation policy' };
    return this.rotate({ name, basis: basisOf(current.properties), policy: reading.policy, rotationId: randomUUID().replace(/-/g, '') });
  }

  /** One secret's rotation outside a run (no lease). */
  async rotate(item: PlannedRotation): Promise<RotationOutcome> {
    return this.instrumented(item, () => this.rotateInRun(item, { stopped: false }));
  }

  /** Instrumentation hook: one secret's rotation through `aroundRotation` when there is one. */
  private instrumented(item: PlannedRotation, rotate: () => Promise<RotationOutcome>): Promise<RotationOutcome> {
    return this.deps.aroundRotation ? this.deps.aroundRotation(item, rotate) : rotate();
  }

  /** Still throttled after the SDK's own retries, it waits and tries again. */
  private async rotateInRun(item: PlannedRotation, run: RunState): Promise<RotationOutcome> {
    for (let attempt = 1; ; attempt++) {
      if (run.stopped || run.lease?.signal.aborted) return this.leaseLost(item, run);
      const outcome = await this.rotateOnce(item, attempt < MAX_THROTTLED_ATTEMPTS, run);
      if (!('retryAfterMs' in outcome)) return outcome;
      // The gate has told the run about this 429 already, when there is one.
      if (!this.deps.throttling) run.pace?.throttled(outcome.retryAfterMs);
      await abortableDelay(Math.max(outcome.retryAfterMs, 1_000 * attempt), run.lease?.signal).catch(() => undefined);
    }
  }

  private leaseLost(item: PlannedRotation, run: RunState): RotationOutcome {
    run.stopped = true;
    return { name: item.name, status: 'skipped', reason: LEASE_LOST };
  }

  /**
   * Re-reads the latest version first: if another run already rotated it (same rotation id) or it
   * changed since planning, nothing is written. Then generate, notify the target, verify, confirm
   * the lease, write. Once the new version is written the rotation has happened, whatever becomes
   * of its event.
   */
  private async rotateOnce(item: PlannedRotation, mayRetry: boolean, run: RunState): Promise<RotationOutcome | Throttled> {
    let previousVersion = '';
    let writeSent = false;
    try {
      const latest = await this.deps.secrets.getSecret(item.name, { abortSignal: this.callSignal(run.lease) });
      if (latest.properties.tags?.[TAGS.rotationId] === item.rotationId) return { name: item.name, status: 'skipped', reason: 'already rotated by another run' };
      if (basisOf(latest.properties) !== item.basis) return { name: item.name, status: 'skipped', reason: 'changed since planning' };
      previousVersion = latest.properties.version ?? '';

      const value = item.policy.generator.generate();
      await this.deps.hook.beforeWrite({ name: item.name, previousVersion, rotationId: item.rotationId });
      if (!item.policy.generator.accepts(value) || value === latest.value) throw new Error('the generated value failed verification');

      await run.lease?.assertHeld();
      const now = this.now();
      writeSent = true;
      const written = await this.deps.secrets.setSecret(item.name, value, {
        contentType: latest.properties.contentType,
        expiresOn: expiryFor(item.policy, now),
        tags: { ...latest.properties.tags, [TAGS.rotatedAt]: now.toISOString(), [TAGS.rotationId]: item.rotationId },
        // Only the timeout, not the lease: cutting a write short would not stop Key Vault from
        // making it, only hide whether it did. The lease outlasts the timeout.
        abortSignal: this.callSignal(),
      });
      return await this.rotated(item, written.properties.version ?? '', previousVersion);
    } catch (error) {
      // A write that timed out may still have been made: the rotation id says.
      const landed = writeSent && mayHaveLanded(error) ? await this.landedVersion(item) : undefined;
      if (landed !== undefined) return this.rotated(item, landed, previousVersion);
      if (error instanceof LeaseLostError || run.lease?.signal.aborted) return this.leaseLost(item, run);
      const failure = classifyVaultFailure(error);
      if (mayRetry && failure.class === 'throttled') return { retryAfterMs: failure.retryAfterMs ?? 0 };
      const reason = describeFailure(error);
      this.deps.log(`Rotation of secret ${item.name} failed: ${reason}`);
      await this.deps.events.publish({ type: 'OperationFailed', name: item.name, reason: `rotation failed: ${reason}` }).catch(() => undefined);
      return { name: item.name, status: 'failed', reason };
    }
  }

  /** The version this rotation wrote, if the latest carries its rotation id. */
  private async landedVersion(item: PlannedRotation): Promise<string | undefined> {
    try {
      const latest = await this.deps.secrets.getSecret(item.name, { abortSignal: this.callSignal() });
      return latest.properties.tags?.[TAGS.rotationId] === item.rotationId ? (latest.properties.version ?? '') : undefined;
    } catch {
      return undefined;
    }
  }

  /** The new version is written: the rotation counts, and its event is published or kept. */
  private async rotated(item: PlannedRotation, version: string, previousVersion: string): Promise<RotationOutcome> {
    this.deps.log(`Rotated secret ${item.name}: new version ${version}`);
    try {
      await this.deps.events.publish({ type: 'SecretRotated', name: item.name, version, reason: `replaces ${previousVersion}` });
    } catch (error) {
      this.deps.log(`Secret ${item.name} was rotated but its SecretRotated event for version ${version} was lost: ${(error as Error).message}`);
    }
    return { name: item.name, status: 'rotated', version };
  }

  /** Secrets nobody rotates get a SecretNearExpiry event in their last 30 days. */
  private async warnIfExpiring(properties: SecretProperties): Promise<void> {
    const expiresOn = properties.expiresOn;
    if (!expiresOn || expiresOn.getTime() - this.now().getTime() > NEAR_EXPIRY_MS) return;
    await this.deps.events.publish({ type: 'SecretNearExpiry', name: properties.name, reason: `expires ${expiresOn.toISOString()}` });
  }

  private async reportInvalid(properties: SecretProperties, tag: string, reason: string): Promise<void> {
    this.deps.log(`Secret ${properties.name} has an invalid rotation policy: tag ${tag} ${reason}`);
    await this.deps.events.publish({ type: 'OperationFailed', name: properties.name, version: properties.version, reason: `invalid rotation policy: tag ${tag} ${reason}` });
  }
}

interface RunState {
  lease?: RunLease;
  /** Set once the lease is lost: no further rotation starts. */
  stopped: boolean;
  /** A run's concurrency (none outside a run). */
  pace?: AdaptiveConcurrency;
}

/** Waits for `promise`, or rejects once `signal` aborts (the promise is left to settle alone). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** No answer, or one that does not say the request was refused (5xx). */
const mayHaveLanded = (error: unknown) => ['retryable', 'unknown'].includes(classifyVaultFailure(error).class);

function describeFailure(error: unknown): string {
  if (isRestError(error)) return `Key Vault answered ${error.statusCode ?? 'without a status'} (${error.code ?? 'no code'})`;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return 'a call timed out';
  return (error as Error).message;
}
