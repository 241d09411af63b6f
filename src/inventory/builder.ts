import type { CertificateProperties } from '@azure/keyvault-certificates';
import type { SecretProperties } from '@azure/keyvault-secrets';
import { vaultPathPrefix } from '../platform/config.js';
import type { RotationOutcome } from '../rotation/engine.js';
import { dueAt, expiryFor, TAGS, type PolicyReading, type RotationPolicy } from '../rotation/policy.js';
import type { RenewalView } from '../rotation/renewal.js';
import type { InventoryItem, VaultInventory } from './model.js';

const POLICY_TAGS = [TAGS.interval, TAGS.beforeExpiry, TAGS.generator, TAGS.validity];

/**
 * Collects one vault's inventory from the properties a rotation run (or a refresh) reads anyway:
 * never a value. A failure recorded by an earlier snapshot is kept until the object gets a newer
 * version than the failure.
 */
export class InventoryBuilder {
  private readonly items = new Map<string, InventoryItem>();
  private readonly policies = new Map<string, RotationPolicy>();
  private readonly earlierFailures = new Map<string, NonNullable<InventoryItem['lastFailure']>>();

  constructor(
    private readonly vault: { alias: string; url: string },
    private readonly now: Date,
    previous?: VaultInventory,
  ) {
    for (const item of previous?.items ?? []) if (item.lastFailure) this.earlierFailures.set(itemKey(item.kind, item.name), item.lastFailure);
  }

  /** A secret as listed. Certificates' own secrets (managed) are left to their certificate. */
  readonly secret = (properties: SecretProperties, reading: PolicyReading): void => {
    if (properties.managed) return;
    const item = this.base('secret', properties);
    if (reading.kind === 'none') item.rotation = { state: 'none' };
    else if (reading.kind === 'invalid') item.rotation = { state: 'invalid', policy: describePolicy(properties.tags), problem: `tag ${reading.tag} ${reading.reason}` };
    else {
      this.policies.set(itemKey('secret', properties.name), reading.policy);
      const next = dueAt(reading.policy, properties);
      item.rotation = {
        state: next && next <= this.now ? 'due' : 'scheduled',
        policy: describePolicy(properties.tags),
        nextDueAt: next?.toISOString(),
        lastRotatedAt: properties.tags?.[TAGS.rotatedAt],
      };
    }
    this.add(item);
  };

  /** A certificate as listed, with where its renewal stands. */
  readonly certificate = (properties: CertificateProperties, renewal: RenewalView): void => {
    const item = this.base('certificate', properties);
    const { lastFailure, ...state } = renewal;
    item.renewal = state;
    if (lastFailure) item.lastFailure = lastFailure;
    this.add(item);
  };

  /** What the run's rotations did: a rotated secret's new version, or its failure. */
  rotations(outcomes: RotationOutcome[], at: Date): void {
    for (const outcome of outcomes) {
      const key = itemKey('secret', outcome.name);
      const item = this.items.get(key);
      const policy = this.policies.get(key);
      if (!item?.rotation) continue;
      if (outcome.status === 'failed') item.lastFailure = { at: at.toISOString(), reason: outcome.reason };
      if (outcome.status !== 'rotated' || !policy) continue;
      const expiresOn = expiryFor(policy, at);
      const tags = { ...item.tags, [TAGS.rotatedAt]: at.toISOString() };
      item.createdOn = at.toISOString();
      item.expiresOn = expiresOn?.toISOString();
      item.rotation = { ...item.rotation, state: 'scheduled', lastRotatedAt: at.toISOString(), nextDueAt: dueAt(policy, { createdOn: at, expiresOn, tags })?.toISOString() };
      delete item.lastFailure;
    }
  }

  build(source: VaultInventory['source'], complete: boolean): VaultInventory {
    const items = [...this.items.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
    return { vault: this.vault.alias, vaultUrl: this.vault.url, generatedAt: this.now.toISOString(), source, complete, items };
  }

  private base(kind: InventoryItem['kind'], properties: SecretProperties | CertificateProperties): InventoryItem {
    const name = properties.name!;
    const vaultPath = vaultPathPrefix(this.vault.alias);
    return {
      vault: this.vault.alias,
      kind,
      name,
      enabled: properties.enabled !== false,
      createdOn: properties.createdOn?.toISOString(),
      expiresOn: properties.expiresOn?.toISOString(),
      tags: { ...properties.tags },
      path: `${vaultPath}/${kind === 'secret' ? 'secrets' : 'certificates'}/${encodeURIComponent(name)}`,
    };
  }

  private add(item: InventoryItem): void {
    const key = itemKey(item.kind, item.name);
    const earlier = this.earlierFailures.get(key);
    if (!item.lastFailure && earlier && !(item.createdOn && item.createdOn > earlier.at)) item.lastFailure = earlier;
    this.items.set(key, item);
  }
}

const itemKey = (kind: string, name: string) => `${kind}/${name.toLowerCase()}`;

/** The rotation tags as `tag=value` pairs: what the policy says, in the owner's words. */
function describePolicy(tags: Record<string, string> | undefined): string | undefined {
  const parts = POLICY_TAGS.filter((tag) => tags?.[tag] !== undefined).map((tag) => `${tag}=${tags![tag]}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}
