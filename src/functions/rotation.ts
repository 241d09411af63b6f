import { app } from '@azure/functions';
import { getServices } from '../services.js';

app.timer('rotation', {
  schedule: '%ROTATION_SCHEDULE%',
  handler: async (_timer, context) => {
    // Loaded on the first run: an instance that only serves HTTP never loads rotation code.
    const { runRotationTimer } = await import('../rotation/timer.js');
    await runRotationTimer(getServices(), context.invocationId, (line) => context.log(line));
  },
});
