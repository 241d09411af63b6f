import { app } from '@azure/functions';
import { invocationTraceContext, telemetryReady, withLogProperties } from '../platform/telemetry.js';
import { getServices } from '../services.js';

app.storageQueue('certificateJobsPoison', {
  queueName: '%JOBS_QUEUE%-poison',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const [{ failPoisonedJob }, { traceContextOf, operationIdOf }, telemetry] = await Promise.all([
      import('../jobs/poison.js'),
      import('../jobs/message.js'),
      telemetryReady(),
    ]);
    telemetry.metrics.poisonMessage();
    const hostTrace = invocationTraceContext(context);
    await telemetry.inSpan(
      'certificate job poisoned',
      { kind: 'consumer', parent: traceContextOf(message) ?? hostTrace, links: hostTrace ? [hostTrace] : [], attributes: { 'faas.invocation_id': context.invocationId } },
      () =>
        withLogProperties({ 'app.operation.id': operationIdOf(message) }, async () => {
          const { store, events } = await getServices().operations();
          await failPoisonedJob(message, { operations: store, events, log: (line) => context.warn(line) });
        }),
    );
  },
});
