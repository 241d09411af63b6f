import { app } from '@azure/functions';
import { failPoisonedJob } from '../jobs/poison.js';
import { getServices } from '../services.js';

app.storageQueue('certificateJobsPoison', {
  queueName: '%JOBS_QUEUE%-poison',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const { operations } = getServices();
    await failPoisonedJob(message, { operations: operations.store, events: operations.events, log: (line) => context.warn(line) });
  },
});
