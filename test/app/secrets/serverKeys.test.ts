// The app's own key secrets (the idempotency key, the webhook signing key) live in the vault it
// manages, but the API neither shows nor changes them: whoever could read the webhook key could
// sign webhook requests, and replacing or deleting a key would break what depends on it.
import { describe, expect, inject, it } from 'vitest';
import { ApiClient, errorCodeOf, uniqueName } from '../../support/api.js';
import { appVaultClients } from '../../support/vault.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);
const vault = appVaultClients(stack.vault.url, stack.identity).secrets;
const KEY = 'app-idempotency-key';

describe("the app's own keys", () => {
  it('are refused by every secrets route, in any letter case, and stay as they were', async () => {
    // A write with an Idempotency-Key creates the key on first use.
    expect((await api.put(`/secrets/${uniqueName('with-key')}`, { value: 'x' }, { headers: { 'idempotency-key': uniqueName('k') } })).status).toBe(201);
    const before = await vault.getSecret(KEY);

    const version = before.properties.version!;
    const attempts = [
      () => api.get(`/secrets/${KEY}`),
      () => api.get(`/secrets/${KEY.toUpperCase()}`),
      () => api.get(`/secrets/${KEY}/versions/${version}`),
      () => api.get(`/secrets/${KEY}/versions`),
      () => api.put(`/secrets/${KEY}`, { value: 'replaced' }),
      () => api.patch(`/secrets/${KEY}`, { enabled: false }),
      () => api.patch(`/secrets/${KEY}/versions/${version}`, { enabled: false }),
      () => api.post(`/secrets/${KEY}/rotate`),
      () => api.delete(`/secrets/${KEY}`),
      () => api.get(`/deleted-secrets/${KEY}`),
      () => api.post(`/deleted-secrets/${KEY}/recover`),
      () => api.delete(`/deleted-secrets/${KEY}`),
      () => api.get(`/secrets/app-webhook-signing-key`),
    ];
    for (const attempt of attempts) {
      const response = await attempt();
      expect(response.status, response.text).toBe(400);
      expect(errorCodeOf(response)).toBe('InvalidRequest');
      expect(response.body.error.target).toBe('path.name');
      expect(response.text).not.toContain(before.value!);
    }

    const after = await vault.getSecret(KEY);
    expect(after.properties.version).toBe(before.properties.version);
    expect(after.value).toBe(before.value);
    expect(after.properties.enabled).toBe(true);
    // Listed like any secret, properties only.
    let page = await api.get('/secrets?maxPageSize=25');
    const listed = [...page.body.value];
    while (page.body.nextLink) listed.push(...(page = await api.get(page.body.nextLink)).body.value);
    expect(listed.find((secret: { name: string }) => secret.name === KEY)).not.toHaveProperty('value');
  });
});
