import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/platform/config.js';
import { createServices } from '../../../src/services.js';

const services = (KEYVAULTS: string) =>
  createServices(
    parseConfig({
      KEYVAULT_URL: 'https://main.vault.azure.net/',
      KEYVAULTS,
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      JOBS_QUEUE: 'jobs',
      ROTATION_SCHEDULE: '0 0 3 * * *',
    }),
  );

describe('the vaults the services address', () => {
  it('gives a second alias of a vault the services of its first (default first): one run, one gate, one key per vault', () => {
    const root = services('main=https://MAIN.vault.azure.net,payments=https://payments.vault.azure.net/,pay=https://payments.vault.azure.net');
    expect(root.managedVaults().map((vault) => vault.vaultAlias)).toEqual(['default', 'payments']);
    expect(root.inVault('main')).toBe(root);
    expect(root.inVault('pay')).toBe(root.inVault('payments'));
    expect(root.inVault('pay').vaultAlias).toBe('payments');
  });

  it('refuses an alias the settings do not name', () => {
    expect(() => services('hr=https://hr.vault.azure.net').inVault('payments')).toThrow(expect.objectContaining({ code: 'VaultNotFound' }));
  });
});
