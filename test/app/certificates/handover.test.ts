// A Key Vault operation that outlasts one invocation's polling budget: the worker re-queues the
// job with the poller's state and a later invocation resumes it; no second create is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { emulatorCounters, startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { waitForOperation } from '../../support/operations.js';

let app: IsolatedApp;
beforeAll(async () => {
  app = await startIsolatedApp({ settings: { JOB_POLL_BUDGET_SECONDS: '2' }, emulator: { certificateCreateMs: 9_000 } });
}, 120_000);
afterAll(async () => app?.stop());

describe('bounded polling', () => {
  it('hands a long creation over to re-queued jobs and still makes exactly one version', { timeout: 120_000 }, async () => {
    const name = uniqueName('slow');
    const response = await app.api.put(`/certificates/${name}`, undefined);
    const operation = await waitForOperation(app.api, response.headers.get('operation-location')!, 100_000);
    expect(operation.status).toBe('Succeeded');
    // The same job ran in several invocations: every invocation that takes up the operation counts
    // an attempt, and one invocation's 2 s budget cannot see a 9 s creation through ...
    expect(operation.attempts).toBeGreaterThanOrEqual(2);
    // ... yet Key Vault was asked to create the certificate once, and the later invocations polled
    // the operation it started.
    const { operations } = await emulatorCounters(app.emulator);
    expect(operations['createCertificate']?.calls).toBe(1);
    expect(operations['getCertificateOperation']?.calls).toBeGreaterThanOrEqual(1);
    expect((await app.api.get(`/certificates/${name}/versions`)).body.value).toHaveLength(1);
  });
});
