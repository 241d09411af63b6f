import { ClientSecretCredential, DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { createCredential, queueServiceClientFor, resolveStorageConnection } from '../../../../../local/host/storage/connection.js';
import { settingsFrom } from './settings.js';

const CONN = 'DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a2V5;QueueEndpoint=http://127.0.0.1:1/a;';

describe('storage connection resolution', () => {
  it('uses AzureWebJobsStorage when the connection is empty', () => {
    const settings = settingsFrom({ AzureWebJobsStorage: CONN });
    expect(resolveStorageConnection(undefined, settings)).toEqual({
      kind: 'connectionString',
      settingName: 'AzureWebJobsStorage',
      connectionString: CONN,
    });
    expect(resolveStorageConnection('', settings)).toMatchObject({ settingName: 'AzureWebJobsStorage' });
  });

  it('tries AzureWebJobs<name> before <name>', () => {
    const both = settingsFrom({ AzureWebJobsJobs: 'prefixed', Jobs: 'plain' });
    expect(resolveStorageConnection('Jobs', both)).toMatchObject({ settingName: 'AzureWebJobsJobs', connectionString: 'prefixed' });
    expect(resolveStorageConnection('Jobs', settingsFrom({ Jobs: 'plain' }))).toMatchObject({ connectionString: 'plain' });
  });

  it('prefers ConnectionStrings:<name> over the plain setting', () => {
    const settings = settingsFrom({ 'ConnectionStrings:Jobs': 'from-section', Jobs: 'plain' });
    expect(resolveStorageConnection('Jobs', settings)).toMatchObject({ settingName: 'ConnectionStrings:Jobs' });
  });

  it('resolves %SETTING% in the connection name', () => {
    const settings = settingsFrom({ CONN_NAME: 'Jobs', Jobs: 'plain' });
    expect(resolveStorageConnection('%CONN_NAME%', settings)).toMatchObject({ connectionString: 'plain' });
  });

  it('names the missing setting', () => {
    expect(() => resolveStorageConnection('Jobs', settingsFrom({}))).toThrow(/Storage account connection string 'AzureWebJobsJobs' does not exist/);
    expect(() => resolveStorageConnection(undefined, settingsFrom({}))).toThrow(/'AzureWebJobsStorage' does not exist/);
    expect(() => resolveStorageConnection('AzureWebJobsStorage', settingsFrom({}))).toThrow(/'AzureWebJobsStorage' does not exist/);
  });

  it('reads an identity-based section with a user-assigned managed identity', () => {
    const settings = settingsFrom({
      AzureWebJobsStorage__queueServiceUri: 'https://acct.queue.core.windows.net',
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__clientId: 'client-1',
    });
    const resolved = resolveStorageConnection(undefined, settings);
    expect(resolved).toEqual({
      kind: 'identity',
      settingName: 'AzureWebJobsStorage',
      queueServiceUri: 'https://acct.queue.core.windows.net',
      credential: { kind: 'managedIdentity', clientId: 'client-1' },
    });
    expect(resolved.kind === 'identity' && createCredential(resolved.credential)).toBeInstanceOf(ManagedIdentityCredential);
  });

  it('builds the queue URI from accountName', () => {
    const settings = settingsFrom({ Jobs__accountName: 'acct', Jobs__credential: 'managedidentity' });
    expect(resolveStorageConnection('Jobs', settings)).toMatchObject({
      queueServiceUri: 'https://acct.queue.core.windows.net',
      credential: { kind: 'managedIdentity' },
    });
  });

  it('uses a managed identity resource id', () => {
    const settings = settingsFrom({
      Jobs__accountName: 'acct',
      Jobs__credential: 'ManagedIdentity',
      Jobs__managedIdentityResourceId: '/subscriptions/x/id',
    });
    expect(resolveStorageConnection('Jobs', settings)).toMatchObject({
      credential: { kind: 'managedIdentity', resourceId: '/subscriptions/x/id' },
    });
  });

  it('uses a client secret when tenant, client and secret are set', () => {
    const settings = settingsFrom({
      Jobs__queueServiceUri: 'https://acct.queue.core.windows.net',
      Jobs__tenantId: 'tenant',
      Jobs__clientId: 'client',
      Jobs__clientSecret: 'secret',
    });
    const resolved = resolveStorageConnection('Jobs', settings);
    expect(resolved).toMatchObject({ credential: { kind: 'clientSecret', tenantId: 'tenant', clientId: 'client' } });
    expect(resolved.kind === 'identity' && createCredential(resolved.credential)).toBeInstanceOf(ClientSecretCredential);
  });

  it('falls back to DefaultAzureCredential with clientId as its managed identity', () => {
    const settings = settingsFrom({ Jobs__queueServiceUri: 'https://acct.queue.core.windows.net', Jobs__clientId: 'client' });
    const resolved = resolveStorageConnection('Jobs', settings);
    expect(resolved).toMatchObject({ credential: { kind: 'default', managedIdentityClientId: 'client' } });
    expect(resolved.kind === 'identity' && createCredential(resolved.credential)).toBeInstanceOf(DefaultAzureCredential);
  });

  it('prefers the prefixed identity section too', () => {
    const settings = settingsFrom({
      AzureWebJobsJobs__queueServiceUri: 'https://prefixed.queue.core.windows.net',
      Jobs__queueServiceUri: 'https://plain.queue.core.windows.net',
    });
    expect(resolveStorageConnection('Jobs', settings)).toMatchObject({ queueServiceUri: 'https://prefixed.queue.core.windows.net' });
  });

  it('refuses an identity section without an account', () => {
    expect(() => resolveStorageConnection('Jobs', settingsFrom({ Jobs__credential: 'managedidentity' }))).toThrow(/Jobs__queueServiceUri/);
  });

  it('creates clients against the resolved endpoint and caches them per connection', () => {
    const settings = settingsFrom({
      AzureWebJobsStorage: CONN,
      Jobs__queueServiceUri: 'https://acct.queue.core.windows.net',
      Jobs__credential: 'managedidentity',
    });
    const storage = queueServiceClientFor(undefined, settings);
    expect(storage.url).toBe('http://127.0.0.1:1/a');
    expect(queueServiceClientFor(undefined, settings)).toBe(storage);
    expect(queueServiceClientFor('Jobs', settings).url).toBe('https://acct.queue.core.windows.net');
  });

  it('understands UseDevelopmentStorage=true', () => {
    const client = queueServiceClientFor(undefined, settingsFrom({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' }));
    expect(client.url).toBe('http://127.0.0.1:10001/devstoreaccount1');
  });
});
