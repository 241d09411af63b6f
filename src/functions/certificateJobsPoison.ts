import { app } from '@azure/functions';
import { getServices } from '../services.js';

app.storageQueue('certificateJobsPoison', {
  queueName: '%JOBS_QUEUE%-poison',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const { failPoisonedJob } = await import('../jobs/poison.js');
    const { store, events } = await getServices().operations();
    await failPoisonedJob(message, { operations: store, events, log: (line) => context.warn(line) });
  },
});
