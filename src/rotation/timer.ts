import { sweepStuckOperations } from '../operations/lifecycle.js';
import type { Services } from '../services.js';
import { renewDueCertificates } from './renewal.js';
import { describeRun, rotationLeaseName, runScheduledRotation } from './run.js';
import { toRunRecord } from './runRecord.js';

/**
 * One timer run: rotate due secrets, renew due certificates, then housekeeping (stuck operations,
 * expired idempotency records); what it did is recorded in the operations table (runRecord.ts).
 * Throws when a step failed, so the host records a failed invocation.
 */
export async function runRotationTimer(services: Services, invocationId: string, log: (line: string) => void): Promise<void> {
  const startedAt = new Date();
  const [blobs, events, operations, secrets] = await Promise.all([services.storage.blobService(), services.events(), services.operations(), services.rotation(log)]);
  const result = await runScheduledRotation({
    blobs,
    leaseName: rotationLeaseName(services.config.KEYVAULT_URL),
    events,
    secrets,
    renewCertificates: async (lease) =>
      renewDueCertificates({
        certificates: await services.vault.certificates(),
        operations: operations.store,
        renew: (name) => services.certificates.beginRenewal(name),
        events,
        lease,
        log,
      }),
    afterRotation: async () => {
      await sweepStuckOperations({ ...operations, log });
      await (await services.idempotency()).removeExpired();
    },
    log,
  });
  log(describeRun(result));
  await (await services.runRecords()).record(toRunRecord(invocationId, startedAt, new Date(), result));
  if (result.ran && result.failedSteps.length > 0) throw new Error(`Rotation run steps failed: ${result.failedSteps.join(', ')}`);
}
