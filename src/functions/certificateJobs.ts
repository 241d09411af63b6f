import { app } from '@azure/functions';
import { handleJobMessage } from '../jobs/worker.js';
import { getServices } from '../services.js';

app.storageQueue('certificateJobs', {
  queueName: '%JOBS_QUEUE%',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) =>
    handleJobMessage(
      message,
      getServices().worker((line) => context.log(line)),
    ),
});
