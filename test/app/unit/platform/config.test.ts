import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../../src/platform/config.js';

const minimal = {
  KEYVAULT_URL: 'https://myvault.vault.azure.net',
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  JOBS_QUEUE: 'certificate-jobs',
  ROTATION_SCHEDULE: '0 0 3 * * *',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the settings to be rejected');
}

describe('app settings', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig(minimal);
    expect(config).toMatchObject({
      EVENTS_QUEUE: 'vault-events',
      OPERATIONS_TABLE: 'operations',
      ROTATION_CONCURRENCY: 64,
      AUTH_ROLES: false,
      ALLOW_PURGE: false,
      KEYVAULT_LOCAL: false,
      AZURE_CREDENTIAL: 'managedidentity',
    });
  });

  it('names every missing setting at once', () => {
    expect(problemsOf({})).toEqual([
      'KEYVAULT_URL is required',
      'JOBS_QUEUE is required',
      'ROTATION_SCHEDULE is required',
      expect.stringMatching(/^AzureWebJobsStorage is required/),
    ]);
  });

  it('names each invalid setting without echoing its value', () => {
    const problems = problemsOf({
      ...minimal,
      KEYVAULT_URL: 'http://canary-value.example',
      AZURE_CLIENT_ID: 'not-a-guid',
      ROTATION_CONCURRENCY: '0',
      JOBS_QUEUE: 'Bad_Queue',
    });
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['KEYVAULT_URL', 'AZURE_CLIENT_ID', 'JOBS_QUEUE', 'ROTATION_CONCURRENCY']);
    expect(problems.join(' ')).not.toContain('canary-value');
  });

  it('treats empty settings as unset', () => {
    expect(parseConfig({ ...minimal, AZURE_CLIENT_ID: '', AUTH_ROLES: '' }).AZURE_CLIENT_ID).toBeUndefined();
  });

  it('accepts identity-based storage and requires all three service URIs', () => {
    const identity = {
      KEYVAULT_URL: minimal.KEYVAULT_URL,
      JOBS_QUEUE: minimal.JOBS_QUEUE,
      ROTATION_SCHEDULE: minimal.ROTATION_SCHEDULE,
      AzureWebJobsStorage__queueServiceUri: 'https://acct.queue.core.windows.net',
      AzureWebJobsStorage__tableServiceUri: 'https://acct.table.core.windows.net',
      AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.windows.net',
      AzureWebJobsStorage__credential: 'managedidentity',
    };
    expect(parseConfig(identity).AzureWebJobsStorage).toBeUndefined();
    const { AzureWebJobsStorage__blobServiceUri: _blob, ...withoutBlob } = identity;
    expect(problemsOf(withoutBlob)).toEqual(['AzureWebJobsStorage__blobServiceUri is required with identity-based storage']);
  });

  it('parses boolean settings strictly', () => {
    expect(parseConfig({ ...minimal, AUTH_ROLES: 'true', KEYVAULT_LOCAL: '1' })).toMatchObject({ AUTH_ROLES: true, KEYVAULT_LOCAL: true });
    expect(problemsOf({ ...minimal, AUTH_ROLES: 'yes' })[0]).toMatch(/^AUTH_ROLES /);
  });

  it('takes roles from the principal header only where App Service Authentication sets it', () => {
    expect(problemsOf({ ...minimal, AUTH_ROLES: 'true' })).toEqual([expect.stringMatching(/^AUTH_ROLES requires App Service Authentication \(WEBSITE_AUTH_ENABLED=true\)/)]);
    expect(parseConfig({ ...minimal, AUTH_ROLES: 'true', WEBSITE_AUTH_ENABLED: 'True' }).AUTH_ROLES).toBe(true);
    expect(parseConfig({ ...minimal, AUTH_ROLES: 'true', KEYVAULT_LOCAL: 'true' }).AUTH_ROLES).toBe(true);
  });

  it('sends the rotation webhook over https only, except on the local stack', () => {
    expect(problemsOf({ ...minimal, ROTATION_WEBHOOK_URL: 'http://receiver.example/rotate' })).toEqual(['ROTATION_WEBHOOK_URL must be an https:// URL']);
    expect(parseConfig({ ...minimal, ROTATION_WEBHOOK_URL: 'https://receiver.example/rotate' }).ROTATION_WEBHOOK_URL).toBe('https://receiver.example/rotate');
    expect(parseConfig({ ...minimal, ROTATION_WEBHOOK_URL: 'http://127.0.0.1:9/rotate', KEYVAULT_LOCAL: 'true' }).ROTATION_WEBHOOK_URL).toBeDefined();
  });

  it('allows purge only when ALLOW_PURGE says so', () => {
    expect(parseConfig({ ...minimal, ALLOW_PURGE: 'true' }).ALLOW_PURGE).toBe(true);
    expect(parseConfig({ ...minimal, ALLOW_PURGE: '' }).ALLOW_PURGE).toBe(false);
    expect(problemsOf({ ...minimal, ALLOW_PURGE: 'yes' })[0]).toMatch(/^ALLOW_PURGE /);
  });

  it('takes PUBLIC_BASE_URL as an absolute https URL (http only on the local stack), and WEBSITE_HOSTNAME as a host name', () => {
    expect(parseConfig({ ...minimal, PUBLIC_BASE_URL: 'https://vault-api.contoso.com/kv' }).PUBLIC_BASE_URL).toBe('https://vault-api.contoso.com/kv');
    expect(problemsOf({ ...minimal, PUBLIC_BASE_URL: 'http://vault-api.contoso.com' })).toEqual(['PUBLIC_BASE_URL must be an absolute https:// URL']);
    expect(parseConfig({ ...minimal, PUBLIC_BASE_URL: 'http://127.0.0.1:7071', KEYVAULT_LOCAL: 'true' }).PUBLIC_BASE_URL).toBe('http://127.0.0.1:7071');
    expect(problemsOf({ ...minimal, PUBLIC_BASE_URL: '/api' })[0]).toMatch(/^PUBLIC_BASE_URL /);
    expect(problemsOf({ ...minimal, PUBLIC_BASE_URL: 'https://vault-api.contoso.com/?x=1' })).toEqual(['PUBLIC_BASE_URL must have no query, fragment or credentials']);
    expect(parseConfig({ ...minimal, WEBSITE_HOSTNAME: 'myapp.azurewebsites.net' }).WEBSITE_HOSTNAME).toBe('myapp.azurewebsites.net');
    expect(parseConfig({ ...minimal, WEBSITE_HOSTNAME: 'localhost:7071' }).WEBSITE_HOSTNAME).toBe('localhost:7071');
    expect(problemsOf({ ...minimal, WEBSITE_HOSTNAME: 'evil.example/path' })[0]).toMatch(/^WEBSITE_HOSTNAME /);
  });
});
