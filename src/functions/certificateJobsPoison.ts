import { app } from '@azure/functions';
import { getOperationStore } from '../jobs/index.js';
import { failPoisonedJob } from '../jobs/poison.js';

app.storageQueue('certificateJobsPoison', {
  queueName: '%JOBS_QUEUE%-poison',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => failPoisonedJob(message, getOperationStore(), (line) => context.warn(line)),
});
