import { createHash, randomUUID } from 'node:crypto';
import { isRestError } from '@azure/core-rest-pipeline';
import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets';
import type { EventPublisher } from '../platform/events.js';
import { dueAt, expiryFor, readPolicy, TAGS, type RotationPolicy } from './policy.js';
import type { TargetUpdateHook } from './targetHook.js';

export interface RotationDeps {
  secrets: SecretClient;
  events: EventPublisher;
  hook: TargetUpdateHook;
  concurrency: number;
  log: (line: string) => void;
  now?: () => Date;
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
  | { name: string; status: 'rotated'; version: string }
  | { name: string; status: 'skipped'; reason: string }
  | { name: string; status: 'failed'; reason: string };

export interface RunSummary {
  planned: number;
  invalid: number;
  outcomes: RotationOutcome[];
}

const THROTTLED = Symbol('throttled');
const NEAR_EXPIRY_MS = 30 * 86_400_000;
const MAX_THROTTLED_ATTEMPTS = 5;

/** One rotation id per (secret, version it replaces): two runs planning the same rotation agree on it. */
const rotationIdFor = (name: string, basis: string) => createHash('sha256').update(`${name.toLowerCase()}/${basis}`).digest('hex').slice(0, 32);
const basisOf = (properties: Pick<SecretProperties, 'createdOn'>) => properties.createdOn?.toISOString() ?? '';

/** Rotates secrets according to their tags, for the timer and for rotate-now. */
export class RotationEngine {
  constructor(private readonly deps: RotationDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Reads properties only (never values), page by page, and returns the secrets that are due. */
  async plan(): Promise<{ due: PlannedRotation[]; invalid: number }> {
    const due: PlannedRotation[] = [];
    let invalid = 0;
    for await (const properties of this.deps.secrets.listPropertiesOfSecrets()) {
      if (properties.managed || properties.enabled === false) continue;
      const reading = readPolicy(properties.tags);
      if (reading.kind === 'none') {
        await this.warnIfExpiring(properties);
        continue;
      }
      if (reading.kind === 'invalid') {
        invalid++;
        await this.reportInvalid(properties, reading.tag, reading.reason);
        continue;
      }
      const at = dueAt(reading.policy, properties);
      if (at && at <= this.now()) {
        const basis = basisOf(properties);
        due.push({ name: properties.name, basis, policy: reading.policy, rotationId: rotationIdFor(properties.name, basis) });
      }
    }
    return { due, invalid };
  }

  /** Plans, then rotates the due secrets with bounded concurrency and a little jitter. */
  async run(): Promise<RunSummary> {
    const { due, invalid } = await this.plan();
    const outcomes: RotationOutcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const item = due[next++]!;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 50));
        outcomes.push(await this.rotate(item));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.concurrency, due.length) }, worker));
    return { planned: due.length, invalid, outcomes };
  }

  /** Rotate-now: the secret's own policy, or the default generator when it has none. */
  async rotateNow(name: string): Promise<RotationOutcome> {
    const current = await this.deps.secrets.getSecret(name);
    const reading = readPolicy(current.properties.tags, 'optional');
    if (reading.kind === 'invalid') return { name, status: 'failed', reason: `tag ${reading.tag} ${reading.reason}` };
    if (reading.kind !== 'policy') return { name, status: 'failed', reason: 'it has no rotation policy' };
    return this.rotate({ name, basis: basisOf(current.properties), policy: reading.policy, rotationId: randomUUID().replace(/-/g, '') });
  }

  /** One secret's rotation; still throttled after the SDK's own retries, it waits and tries again. */
  async rotate(item: PlannedRotation): Promise<RotationOutcome> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.rotateOnce(item, attempt < MAX_THROTTLED_ATTEMPTS);
      if (outcome !== THROTTLED) return outcome;
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
    }
  }

  /**
   * Re-reads the latest version first: if another run already rotated it (same rotation id) or it
   * changed since planning, nothing is written. Then generate, notify the target, verify, write.
   */
  private async rotateOnce(item: PlannedRotation, mayRetry: boolean): Promise<RotationOutcome | typeof THROTTLED> {
    try {
      const latest = await this.deps.secrets.getSecret(item.name);
      if (latest.properties.tags?.[TAGS.rotationId] === item.rotationId) return { name: item.name, status: 'skipped', reason: 'already rotated by another run' };
      if (basisOf(latest.properties) !== item.basis) return { name: item.name, status: 'skipped', reason: 'changed since planning' };
      const previousVersion = latest.properties.version ?? '';

      const value = item.policy.generator.generate();
      await this.deps.hook.beforeWrite({ name: item.name, previousVersion, rotationId: item.rotationId });
      if (!item.policy.generator.accepts(value) || value === latest.value) throw new Error('the generated value failed verification');

      const now = this.now();
      const written = await this.deps.secrets.setSecret(item.name, value, {
        contentType: latest.properties.contentType,
        expiresOn: expiryFor(item.policy, now),
        tags: { ...latest.properties.tags, [TAGS.rotatedAt]: now.toISOString(), [TAGS.rotationId]: item.rotationId },
      });
      const version = written.properties.version ?? '';
      await this.deps.events.publish({ type: 'SecretRotated', name: item.name, version, reason: `replaces ${previousVersion}` });
      this.deps.log(`Rotated secret ${item.name}: new version ${version}`);
      return { name: item.name, status: 'rotated', version };
    } catch (error) {
      if (mayRetry && isRestError(error) && error.statusCode === 429) return THROTTLED;
      const reason = isRestError(error) ? `Key Vault answered ${error.statusCode ?? 'without a status'} (${error.code ?? 'no code'})` : (error as Error).message;
      this.deps.log(`Rotation of secret ${item.name} failed: ${reason}`);
      await this.deps.events.publish({ type: 'OperationFailed', name: item.name, reason: `rotation failed: ${reason}` }).catch(() => undefined);
      return { name: item.name, status: 'failed', reason };
    }
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
