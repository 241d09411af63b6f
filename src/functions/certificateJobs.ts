import { app } from '@azure/functions';
import { getServices, type Services } from '../services.js';

app.storageQueue('certificateJobs', {
  queueName: '%JOBS_QUEUE%',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    // Loaded on the first job: an instance that only serves HTTP never loads the worker.
    const { handleJobMessage } = await import('../jobs/worker.js');
    await handleJobMessage(message, await servicesForJob(message).worker((line) => context.log(line)));
  },
});

/** The services of the vault the job names (the default vault's when it names none, or one the app
 * does not manage: the worker then fails the job's operation rather than use another vault). */
function servicesForJob(message: unknown): Services {
  const vault = (message as { vault?: unknown } | null)?.vault;
  if (typeof vault !== 'string') return getServices();
  try {
    return getServices().inVault(vault);
  } catch {
    return getServices();
  }
}
