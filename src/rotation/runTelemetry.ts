// What rotation tells telemetry: a span per secret rotated, the outcome metrics, and the counts
// of objects near expiry from a run's inventory. Classes and names only, never a value or a tag value.
import type { InventoryItem } from '../inventory/model.js';
import { telemetry, withLogProperties, type ExpiringCounts } from '../platform/telemetry.js';
import type { PlannedRotation, RotationOutcome } from './engine.js';

const DAY_MS = 86_400_000;

/** The engine's `aroundRotation` for a vault: each rotation in a span, and counted. */
export function rotationTelemetry(vault: string): (item: PlannedRotation, rotate: () => Promise<RotationOutcome>) => Promise<RotationOutcome> {
  return (item, rotate) =>
    telemetry().inSpan('rotate secret', { attributes: { 'app.vault': vault, 'app.secret.name': item.name, 'app.rotation.id': item.rotationId } }, async (span) => {
      // Every log line of this rotation carries the rotation id and the secret's name as properties.
      const outcome = await withLogProperties({ 'app.vault': vault, 'app.rotation.id': item.rotationId, 'app.secret.name': item.name }, rotate);
      span.setAttributes({ 'app.rotation.outcome': outcome.status });
      if (outcome.status === 'rotated') telemetry().metrics.secretRotation(vault, 'rotated');
      if (outcome.status === 'failed') {
        const reason = failureClass(outcome.reason);
        span.fail(reason);
        telemetry().metrics.secretRotation(vault, 'failed', reason);
      }
      return outcome;
    });
}

/** A rotation failure's class, from the engine's reason (which never holds a value). */
export function failureClass(reason: string): string {
  const status = /^Key Vault answered (\d{3})/.exec(reason)?.[1];
  if (status) return status === '429' ? 'throttled' : `vault-${status}`;
  if (reason === 'a call timed out') return 'timeout';
  if (reason.startsWith('the rotation webhook')) return 'webhook';
  if (reason.includes('failed verification')) return 'verification';
  if (reason.startsWith('tag ') || reason.includes('no rotation policy')) return 'policy';
  return 'other';
}

/**
 * Enabled objects whose current version expires within 7 and 30 days (expired ones included),
 * split by whether the app or Key Vault renews them (a rotation or renewal policy) or nothing does.
 */
export function expiringCounts(items: InventoryItem[], now: Date): ExpiringCounts {
  const counts: ExpiringCounts = { within7Days: { managed: 0, unmanaged: 0 }, within30Days: { managed: 0, unmanaged: 0 } };
  for (const item of items) {
    if (!item.enabled || !item.expiresOn) continue;
    const left = Date.parse(item.expiresOn) - now.getTime();
    if (!(left <= 30 * DAY_MS)) continue;
    const renewed = item.kind === 'secret' ? !['none', 'invalid'].includes(item.rotation?.state ?? 'none') : !['none', 'invalid'].includes(item.renewal?.state ?? 'none');
    const key = renewed ? 'managed' : 'unmanaged';
    counts.within30Days[key]++;
    if (left <= 7 * DAY_MS) counts.within7Days[key]++;
  }
  return counts;
}
