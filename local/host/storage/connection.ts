// Storage connection resolution as the Functions host does it: the connection
// name picks an app setting that is either a connection string or an identity-based section
// (`<name>__queueServiceUri`, `<name>__credential`, ...).
import { ClientSecretCredential, DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { QueueServiceClient, type StoragePipelineOptions } from '@azure/storage-queue';
import type { AppSettings } from '../contracts.js';

export type CredentialChoice =
  | { kind: 'managedIdentity'; clientId?: string; resourceId?: string }
  | { kind: 'clientSecret'; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'default'; managedIdentityClientId?: string };

export type StorageConnection =
  | { kind: 'connectionString'; settingName: string; connectionString: string }
  | { kind: 'identity'; settingName: string; queueServiceUri: string; credential: CredentialChoice };

// The WebJobs SDK's name for the default connection; prefixed it becomes AzureWebJobsStorage.
const DEFAULT_CONNECTION = 'Storage';
const PREFIX = 'AzureWebJobs';

/** Which setting a binding's `connection` refers to and what it holds. Throws naming the setting when missing. */
export function resolveStorageConnection(connection: string | undefined, settings: AppSettings): StorageConnection {
  const name = settings.resolve(connection ?? '').trim() || DEFAULT_CONNECTION;
  for (const candidate of [`${PREFIX}${name}`, name]) {
    const found = readConnectionSetting(candidate, settings);
    if (found) return found;
  }
  const expected = name.startsWith(PREFIX) ? name : `${PREFIX}${name}`;
  throw new Error(
    `Storage account connection string '${expected}' does not exist. Make sure that it is a defined App Setting ` +
      `(a connection string, or identity-based settings '${expected}__queueServiceUri' or '${expected}__accountName').`,
  );
}

function readConnectionSetting(settingName: string, settings: AppSettings): StorageConnection | undefined {
  for (const key of [`ConnectionStrings:${settingName}`, settingName]) {
    const value = settings.get(key)?.trim();
    if (value) return { kind: 'connectionString', settingName: key, connectionString: value };
  }
  const section = readSection(settingName, settings);
  if (Object.keys(section).length === 0) return undefined;

  const queueServiceUri = section['queueserviceuri'] ?? (section['accountname'] ? `https://${section['accountname']}.queue.core.windows.net` : undefined);
  if (!queueServiceUri) {
    throw new Error(`Connection '${settingName}' is identity-based but has neither '${settingName}__queueServiceUri' nor '${settingName}__accountName'.`);
  }
  return { kind: 'identity', settingName, queueServiceUri, credential: chooseCredential(section) };
}

/** `Name__key` settings (`:` also accepted as the separator), keys lower-cased as .NET configuration is case-insensitive. */
function readSection(settingName: string, settings: AppSettings): Record<string, string> {
  const section: Record<string, string> = {};
  for (const separator of ['__', ':']) {
    const prefix = `${settingName}${separator}`;
    for (const [key, value] of Object.entries(settings.withPrefix(prefix))) {
      const subKey = key.startsWith(prefix) ? key.slice(prefix.length) : key;
      if (value.trim()) section[subKey.toLowerCase()] ??= value.trim();
    }
  }
  return section;
}

function chooseCredential(section: Record<string, string>): CredentialChoice {
  const { credential, clientid: clientId, managedidentityresourceid: resourceId } = section;
  const { tenantid: tenantId, clientsecret: clientSecret } = section;
  if (credential?.toLowerCase() === 'managedidentity') {
    if (clientId) return { kind: 'managedIdentity', clientId };
    if (resourceId) return { kind: 'managedIdentity', resourceId };
    return { kind: 'managedIdentity' };
  }
  if (tenantId && clientId && clientSecret) return { kind: 'clientSecret', tenantId, clientId, clientSecret };
  return clientId ? { kind: 'default', managedIdentityClientId: clientId } : { kind: 'default' };
}

export function createCredential(choice: CredentialChoice): TokenCredential {
  switch (choice.kind) {
    case 'managedIdentity':
      if (choice.clientId) return new ManagedIdentityCredential({ clientId: choice.clientId });
      if (choice.resourceId) return new ManagedIdentityCredential({ resourceId: choice.resourceId });
      return new ManagedIdentityCredential();
    case 'clientSecret':
      return new ClientSecretCredential(choice.tenantId, choice.clientId, choice.clientSecret);
    case 'default':
      return new DefaultAzureCredential(choice.managedIdentityClientId ? { managedIdentityClientId: choice.managedIdentityClientId } : {});
  }
}

// Few, short retries: the listeners have their own back-off, and shutdown must not hang on a
// storage account that went away.
const PIPELINE: StoragePipelineOptions = {
  retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000, tryTimeoutInMs: 30_000 },
};

const clients = new WeakMap<AppSettings, Map<string, QueueServiceClient>>();

/** One client per connection name and settings object, created on first use. */
export function queueServiceClientFor(connection: string | undefined, settings: AppSettings): QueueServiceClient {
  let perSettings = clients.get(settings);
  if (!perSettings) clients.set(settings, (perSettings = new Map()));
  const key = connection ?? '';
  let client = perSettings.get(key);
  if (!client) {
    const resolved = resolveStorageConnection(connection, settings);
    client =
      resolved.kind === 'connectionString'
        ? QueueServiceClient.fromConnectionString(resolved.connectionString, PIPELINE)
        : new QueueServiceClient(resolved.queueServiceUri, createCredential(resolved.credential), PIPELINE);
    perSettings.set(key, client);
  }
  return client;
}
