import { app } from '@azure/functions';
import { getConfig } from '../platform/config.js';
import { withRunLease } from '../platform/runLease.js';
import { getStorage } from '../platform/storage.js';
import { getRotationEngine } from '../rotation/index.js';

app.timer('rotation', {
  schedule: '%ROTATION_SCHEDULE%',
  handler: async (_timer, context) => {
    const run = await withRunLease(getStorage(getConfig()).blobService(), 'rotation', () => getRotationEngine((line) => context.log(line)).run());
    if (!run.ran) {
      context.log('Another rotation run holds the lease; this run does nothing');
      return;
    }
    const counts = { rotated: 0, skipped: 0, failed: 0 };
    for (const outcome of run.result.outcomes) counts[outcome.status]++;
    context.log(`Rotation run: ${run.result.planned} due, ${counts.rotated} rotated, ${counts.skipped} skipped, ${counts.failed} failed, ${run.result.invalid} invalid policies`);
  },
});
