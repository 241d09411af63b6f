import { app } from '@azure/functions';
import { ConfigError, getConfig } from './platform/config.js';
import { startTelemetry, telemetry, telemetryTarget } from './platform/telemetry.js';

app.setup({ enableHttpStream: false });

// Telemetry, only when APPLICATIONINSIGHTS_CONNECTION_STRING or OTEL_EXPORTER_OTLP_ENDPOINT is
// set: its packages load now, before any function runs (the Functions instrumentation must be
// registered while the app starts). Without either setting, no OpenTelemetry module is loaded.
if (telemetryTarget(process.env)) await startTelemetry(process.env, { app });
app.hook.appTerminate(async () => {
  await telemetry().shutdown();
});

// Validate the app settings as soon as the app loads, so that a missing setting shows up in the
// start-up log naming it rather than on the first request that needs it. Health keeps answering.
app.hook.appStart(() => {
  try {
    getConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[config] ${error.message}`);
  }
});
