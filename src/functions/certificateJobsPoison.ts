import { app } from '@azure/functions';
import { getOperationStore } from '../jobs/index.js';
import { failPoisonedJob } from '../jobs/poison.js';
import { getEventPublisher } from '../platform/events.js';

app.storageQueue('certificateJobsPoison', {
  queueName: '%JOBS_QUEUE%-poison',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => failPoisonedJob(message, getOperationStore(), (line) => context.warn(line), getEventPublisher()),
});
