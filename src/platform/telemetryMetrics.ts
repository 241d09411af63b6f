// The app's metrics (README "Telemetry" documents each). Attributes are classes only: a vault
// alias, an outcome, a reason class, an operation kind. Never a value, a tag value or a message.
import type { Meter } from '@opentelemetry/api';
import type { AppMetrics, ExpiringCounts } from './telemetry.js';

export const METRICS = {
  secretRotations: 'keyvault.secret.rotations',
  certificateRenewals: 'keyvault.certificate.renewals',
  expiring: 'keyvault.objects.expiring',
  operationDuration: 'app.operation.duration',
  vaultRequests: 'keyvault.requests',
  vaultThrottled: 'keyvault.requests.throttled',
  jobHandovers: 'app.jobs.handovers',
  poisonMessages: 'app.jobs.poison',
} as const;

export function createAppMetrics(meter: Meter): AppMetrics {
  const rotations = meter.createCounter(METRICS.secretRotations, { description: 'Secret rotations by vault, outcome (rotated, failed) and reason class' });
  const renewals = meter.createCounter(METRICS.certificateRenewals, { description: 'Certificate renewals finished, by vault, outcome (renewed, failed) and reason class' });
  const duration = meter.createHistogram(METRICS.operationDuration, { description: 'Certificate operations from request to end, by kind and outcome', unit: 's' });
  const requests = meter.createCounter(METRICS.vaultRequests, { description: 'Key Vault HTTP requests (each try) by vault and status class' });
  const throttled = meter.createCounter(METRICS.vaultThrottled, { description: 'Key Vault answers 429 by vault' });
  const handovers = meter.createCounter(METRICS.jobHandovers, { description: 'Certificate jobs re-queued by the worker, by reason' });
  const poison = meter.createCounter(METRICS.poisonMessages, { description: 'Certificate jobs that reached the poison queue' });
  // The last run's counts per vault, observed at each export.
  const lastRun = new Map<string, ExpiringCounts>();
  meter
    .createObservableGauge(METRICS.expiring, {
      description: 'Secrets and certificates expiring within 7 / 30 days at the last run, by vault and whether a policy renews them',
    })
    .addCallback((result) => {
      for (const [vault, counts] of lastRun) {
        for (const [within, split] of [
          ['7d', counts.within7Days],
          ['30d', counts.within30Days],
        ] as const) {
          result.observe(split.managed, { vault, within, policy: 'renewed' });
          result.observe(split.unmanaged, { vault, within, policy: 'none' });
        }
      }
    });
  return {
    secretRotation: (vault, outcome, reason) => rotations.add(1, { vault, outcome, ...(reason ? { reason } : {}) }),
    certificateRenewal: (vault, outcome, reason) => renewals.add(1, { vault, outcome, ...(reason ? { reason } : {}) }),
    operationFinished: (kind, outcome, durationMs, vault) => duration.record(Math.max(0, durationMs) / 1000, { kind, outcome, vault }),
    vaultResponse: (vault, status) => {
      requests.add(1, { vault, status: status === undefined ? 'none' : `${Math.floor(status / 100)}xx` });
      if (status === 429) throttled.add(1, { vault });
    },
    jobHandover: (reason) => handovers.add(1, { reason }),
    poisonMessage: () => poison.add(1),
    expiring: (vault, counts) => lastRun.set(vault, counts),
  };
}
