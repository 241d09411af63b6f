import { describe, expect, it } from 'vitest';
import { vaultsToRotate } from '../../../../src/rotation/timer.js';

describe('the vaults a timer run rotates', () => {
  it('runs each vault once, under the first alias that names it (default first)', () => {
    const vaults = { default: 'https://localhost:8443', main: 'https://LOCALHOST:8443', payments: 'https://localhost:8444' };
    expect(vaultsToRotate(vaults)).toEqual(['default', 'payments']);
    expect(vaultsToRotate({ default: 'https://a.vault.azure.net', hr: 'https://hr.vault.azure.net' })).toEqual(['default', 'hr']);
  });
});
