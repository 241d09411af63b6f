import { app } from '@azure/functions';
import { getCertificateClient, getJobQueue, getOperationStore } from '../jobs/index.js';
import { getConfig } from '../platform/config.js';
import { getEventPublisher } from '../platform/events.js';
import { withRunLease } from '../platform/runLease.js';
import { getStorage } from '../platform/storage.js';
import { getRotationEngine } from '../rotation/index.js';
import { renewDueCertificates } from '../rotation/renewal.js';

app.timer('rotation', {
  schedule: '%ROTATION_SCHEDULE%',
  handler: async (_timer, context) => {
    const log = (line: string) => context.log(line);
    const run = await withRunLease(getStorage(getConfig()).blobService(), 'rotation', async () => ({
      secrets: await getRotationEngine(log).run(),
      certificates: await renewDueCertificates({
        certificates: getCertificateClient(),
        operations: getOperationStore(),
        queue: getJobQueue(),
        events: getEventPublisher(),
        log,
      }),
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
