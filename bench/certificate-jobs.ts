// 200 certificate creations through the API (queue worker, concurrent jobs) until every
// operation has succeeded, against the same 200 with the SDK's
// beginCreateCertificate().pollUntilDone() one after another; same emulator, same settings.
// Prints the speed-up (target ≥ 5×) and Key Vault create calls per certificate (target 1).
import { CertificateClient } from '@azure/keyvault-certificates';
import { startBenchStack } from './stackProcess.js';

const COUNT = Number(process.env.BENCH_CERTIFICATES ?? 200);
const CREATE_DELAY_MS = 1_000;

const stack = await startBenchStack();
try {
  await stack.admin('settings', { certificateCreateMs: CREATE_DELAY_MS });
  const headers = { 'x-functions-key': stack.functionKey };

  await stack.admin('reset', { counters: true });
  const apiStart = Date.now();
  const locations = await Promise.all(
    Array.from({ length: COUNT }, async (_, i) => {
      const response = await fetch(`${stack.apiBaseUrl}/certificates/bench-api-${i}`, { method: 'PUT', headers });
      if (response.status !== 202) throw new Error(`create ${i}: HTTP ${response.status}`);
      return response.headers.get('operation-location')!;
    }),
  );
  const pending = new Set(locations);
  while (pending.size > 0) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    await Promise.all(
      [...pending].map(async (location) => {
        const operation = (await (await fetch(location, { headers })).json()) as { status: string };
        if (operation.status === 'Succeeded') pending.delete(location);
        else if (operation.status === 'Failed' || operation.status === 'Canceled') throw new Error(`${location} ended ${operation.status}`);
      }),
    );
  }
  const apiSeconds = (Date.now() - apiStart) / 1000;
  const apiCounters = await stack.admin('counters');
  const createCalls = apiCounters.operations.createCertificate?.calls ?? 0;

  const { credential, options } = await stack.clientOptions();
  const client = new CertificateClient(stack.vault.url, credential, options);
  const sdkStart = Date.now();
  for (let i = 0; i < COUNT; i++) {
    const poller = await client.beginCreateCertificate(`bench-sdk-${i}`, { issuerName: 'Self', subject: `CN=bench-sdk-${i}` });
    await poller.pollUntilDone();
  }
  const sdkSeconds = (Date.now() - sdkStart) / 1000;

  console.log(`bench/certificate-jobs: ${COUNT} certificates, emulator creation time ${CREATE_DELAY_MS} ms each`);
  console.log(`  SDK pollUntilDone, one after another  ${sdkSeconds.toFixed(1)} s`);
  console.log(`  API + queue worker, until all Succeeded  ${apiSeconds.toFixed(1)} s`);
  console.log(`  speed-up ${(sdkSeconds / apiSeconds).toFixed(1)}× (target ≥ 5×)`);
  console.log(`  Key Vault create calls per certificate through the API: ${(createCalls / COUNT).toFixed(2)} (target 1)`);
} finally {
  await stack.stop();
}
