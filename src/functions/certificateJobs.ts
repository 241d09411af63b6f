import { app } from '@azure/functions';
import { invocationTraceContext, telemetryReady, withLogProperties } from '../platform/telemetry.js';
import { getServices, type Services } from '../services.js';

app.storageQueue('certificateJobs', {
  queueName: '%JOBS_QUEUE%',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    // Loaded on the first job: an instance that only serves HTTP never loads the worker.
    const [{ handleJobMessage }, { traceContextOf }, telemetry] = await Promise.all([import('../jobs/worker.js'), import('../jobs/message.js'), telemetryReady()]);
    const job = message as { kind?: unknown; name?: unknown; operationId?: unknown; attempt?: unknown; vault?: unknown } | null;
    const operationId = typeof job?.operationId === 'string' ? job.operationId.slice(0, 36) : undefined;
    // Each invocation of a job, re-queues included, continues the trace the job's message carries
    // (that of the request or timer run that started it); the host's own trace is linked.
    const hostTrace = invocationTraceContext(context);
    await telemetry.inSpan(
      `certificate job ${typeof job?.kind === 'string' ? job.kind : 'invalid'}`,
      {
        kind: 'consumer',
        parent: traceContextOf(message) ?? hostTrace,
        links: hostTrace ? [hostTrace] : [],
        attributes: {
          'messaging.system': 'azure_queue',
          'messaging.operation.type': 'process',
          'faas.invocation_id': context.invocationId,
          'app.operation.id': operationId,
          'app.job.attempt': typeof job?.attempt === 'number' ? job.attempt : undefined,
          'app.certificate.name': typeof job?.name === 'string' ? job.name.slice(0, 127) : undefined,
        },
      },
      async () => {
        const services = servicesForJob(message);
        // Every log line of the job carries its operation id and vault alias as properties.
        await withLogProperties({ 'app.operation.id': operationId, 'app.vault': services.vaultAlias }, async () =>
          handleJobMessage(message, await services.worker((line) => context.log(line))),
        );
      },
    );
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
