import { app } from '@azure/functions';
import { invocationTraceContext, telemetryReady, withLogProperties } from '../platform/telemetry.js';
import { getServices } from '../services.js';

app.timer('rotation', {
  schedule: '%ROTATION_SCHEDULE%',
  handler: async (_timer, context) => {
    // Loaded on the first run: an instance that only serves HTTP never loads rotation code.
    const [{ runRotationTimer }, telemetry] = await Promise.all([import('../rotation/timer.js'), telemetryReady()]);
    // One trace per run (under the host's invocation when it gives one): a span per vault, and
    // one per secret rotated or certificate renewal started.
    try {
      await telemetry.inSpan('rotation run', { parent: invocationTraceContext(context), attributes: { 'faas.invocation_id': context.invocationId } }, () =>
        // Every log line of the run carries the run's id (its invocation id, as in its run record).
        withLogProperties({ 'app.rotation.run': context.invocationId }, () => runRotationTimer(getServices(), context.invocationId, (line) => context.log(line))),
      );
    } finally {
      // A timer instance may go idle (and be frozen) right after the run: send what the run recorded.
      await telemetry.flush();
    }
  },
});
