import { app } from '@azure/functions';
import { getCertificateClient, getJobQueue, getOperationStore } from '../jobs/index.js';
import { getConfig } from '../platform/config.js';
import { getEventPublisher } from '../platform/events.js';
import { getStorage } from '../platform/storage.js';
import { getRotationEngine } from '../rotation/index.js';
import { renewDueCertificates } from '../rotation/renewal.js';
import { describeRun, runScheduledRotation } from '../rotation/run.js';

app.timer('rotation', {
  schedule: '%ROTATION_SCHEDULE%',
  handler: async (_timer, context) => {
    const log = (line: string) => context.log(line);
    const events = getEventPublisher();
    const result = await runScheduledRotation({
      blobs: getStorage(getConfig()).blobService(),
      events,
      secrets: getRotationEngine(log),
      renewCertificates: () =>
        renewDueCertificates({ certificates: getCertificateClient(), operations: getOperationStore(), queue: getJobQueue(), events, log }),
      log,
    });
    context.log(describeRun(result));
    if (result.ran && result.failedSteps.length > 0) throw new Error(`Rotation run steps failed: ${result.failedSteps.join(', ')}`);
  },
});
