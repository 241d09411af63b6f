import { app } from '@azure/functions';
import { getServices } from '../services.js';

app.storageQueue('certificateJobs', {
  queueName: '%JOBS_QUEUE%',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    // Loaded on the first job: an instance that only serves HTTP never loads the worker.
    const { handleJobMessage } = await import('../jobs/worker.js');
    await handleJobMessage(message, await getServices().worker((line) => context.log(line)));
  },
});
