import { app } from '@azure/functions';
import { getCertificateClient, getJobQueue, getOperationStore } from '../jobs/index.js';
import { jobMessageSchema } from '../jobs/message.js';
import { runCertificateJob } from '../jobs/worker.js';
import { getConfig } from '../platform/config.js';
import { getEventPublisher } from '../platform/events.js';

app.storageQueue('certificateJobs', {
  queueName: '%JOBS_QUEUE%',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const job = jobMessageSchema.safeParse(message);
    if (!job.success) {
      // Retrying cannot fix a malformed job: drop it with a log line rather than retry it.
      context.error(`Dropped a message that is not a certificate job (${job.error.issues[0]?.path.join('.') || 'message'} is invalid)`);
      return;
    }
    await runCertificateJob(job.data, {
      certificates: getCertificateClient(),
      operations: getOperationStore(),
      queue: getJobQueue(),
      log: (line) => context.log(line),
      events: getEventPublisher(),
      pollBudgetMs: getConfig().JOB_POLL_BUDGET_SECONDS * 1000,
    });
  },
});
