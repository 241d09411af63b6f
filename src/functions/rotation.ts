import { app } from '@azure/functions';
import { sweepStuckOperations } from '../operations/lifecycle.js';
import { renewDueCertificates } from '../rotation/renewal.js';
import { describeRun, rotationLeaseName, runScheduledRotation } from '../rotation/run.js';
import { toRunRecord } from '../rotation/runRecord.js';
import { getServices } from '../services.js';

app.timer('rotation', {
  schedule: '%ROTATION_SCHEDULE%',
  handler: async (_timer, context) => {
    const log = (line: string) => context.log(line);
    const services = getServices();
    const startedAt = new Date();
    const result = await runScheduledRotation({
      blobs: services.storage.blobService(),
      leaseName: rotationLeaseName(services.config.KEYVAULT_URL),
      events: services.events,
      secrets: services.rotation(log),
      renewCertificates: (lease) =>
        renewDueCertificates({
          certificates: services.vault.certificates,
          operations: services.operations.store,
          renew: (name) => services.certificates.beginRenewal(name),
          events: services.events,
          lease,
          log,
        }),
      afterRotation: async () => {
        await sweepStuckOperations({ ...services.operations, log });
        await services.idempotency.removeExpired();
      },
      log,
    });
    context.log(describeRun(result));
    await services.runRecords.record(toRunRecord(context.invocationId, startedAt, new Date(), result));
    if (result.ran && result.failedSteps.length > 0) throw new Error(`Rotation run steps failed: ${result.failedSteps.join(', ')}`);
  },
});
