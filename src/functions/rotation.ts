import { app } from '@azure/functions';
import { sweepStuckOperations } from '../operations/lifecycle.js';
import { withRunLease } from '../platform/runLease.js';
import { renewDueCertificates } from '../rotation/renewal.js';
import { getServices } from '../services.js';

app.timer('rotation', {
  schedule: '%ROTATION_SCHEDULE%',
  handler: async (_timer, context) => {
    const log = (line: string) => context.log(line);
    const services = getServices();
    const run = await withRunLease(services.storage.blobService(), 'rotation', async () => ({
      secrets: await services.rotation(log).run(),
      certificates: await renewDueCertificates({
        certificates: services.vault.certificates,
        operations: services.operations.store,
        renew: (name) => services.certificates.beginRenewal(name),
        events: services.events,
        log,
      }),
      swept: await sweepStuckOperations({ ...services.operations, log }),
      expiredIdempotencyKeys: await services.idempotency.removeExpired(),
    }));
    if (!run.ran) {
      context.log('Another rotation run holds the lease; this run does nothing');
      return;
    }
    const { secrets, certificates } = run.result;
    const counts = { rotated: 0, skipped: 0, failed: 0 };
    for (const outcome of secrets.outcomes) counts[outcome.status]++;
    context.log(
      `Rotation run: ${secrets.planned} due, ${counts.rotated} rotated, ${counts.skipped} skipped, ${counts.failed} failed, ` +
        `${secrets.invalid} invalid policies; ${certificates.nearExpiry} certificates near expiry, ${certificates.started} renewals started`,
    );
  },
});
