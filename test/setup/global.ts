// Starts the shared local services once per test run and hands their addresses to the tests
// through vitest's provide/inject. Test files start their own hosts/emulators on top of these.
import type { TestProject } from 'vitest/node';
import { startAzurite, type RunningAzurite } from '../../local/stack/azurite.js';

export interface StorageInfo {
  connectionString: string;
  queueUrl: string;
  tableUrl: string;
  blobUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    storage: StorageInfo;
  }
}

let azurite: RunningAzurite | undefined;

export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite({ location: '', inMemory: true });
  project.provide('storage', {
    connectionString: azurite.connectionString,
    queueUrl: azurite.queueUrl,
    tableUrl: azurite.tableUrl,
    blobUrl: azurite.blobUrl,
  });
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}
