import { app } from '@azure/functions';
import { ConfigError, getConfig } from './platform/config.js';

app.setup({ enableHttpStream: false });

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
