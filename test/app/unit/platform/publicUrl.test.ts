// The origin of every URL the API returns comes from settings, never from the request's Host.
import { describe, expect, it } from 'vitest';
import { publicBaseUrl, publicRequestUrl } from '../../../../src/platform/publicUrl.js';
import { apiNextLink } from '../../../../src/platform/paging.js';

describe('public URLs', () => {
  it('takes PUBLIC_BASE_URL first, then https://WEBSITE_HOSTNAME (http on the local stack), else relative', () => {
    expect(publicBaseUrl({ PUBLIC_BASE_URL: 'https://vault-api.contoso.com/kv/', WEBSITE_HOSTNAME: 'myapp.azurewebsites.net', KEYVAULT_LOCAL: false })).toBe(
      'https://vault-api.contoso.com/kv',
    );
    expect(publicBaseUrl({ WEBSITE_HOSTNAME: 'myapp.azurewebsites.net', KEYVAULT_LOCAL: false })).toBe('https://myapp.azurewebsites.net');
    expect(publicBaseUrl({ WEBSITE_HOSTNAME: 'localhost:7071', KEYVAULT_LOCAL: true })).toBe('http://localhost:7071');
    expect(publicBaseUrl({ KEYVAULT_LOCAL: false })).toBe('');
  });

  it('keeps only the path and query of the request', () => {
    expect(publicRequestUrl('http://evil.example:8080/api/secrets?maxPageSize=2', 'https://myapp.azurewebsites.net')).toBe(
      'https://myapp.azurewebsites.net/api/secrets?maxPageSize=2',
    );
    expect(publicRequestUrl('http://evil.example/api/secrets', '')).toBe('/api/secrets');
  });

  it('builds nextLink on that URL with the caller’s query and the new token', () => {
    const url = 'https://myapp.azurewebsites.net/api/secrets?maxPageSize=2&continuationToken=old';
    expect(apiNextLink(url, { maxPageSize: 2, continuationToken: 'old' }, 'new')).toBe('https://myapp.azurewebsites.net/api/secrets?maxPageSize=2&continuationToken=new');
    expect(apiNextLink('/api/secrets', {}, 'new')).toBe('/api/secrets?continuationToken=new');
    expect(apiNextLink(url, {}, undefined)).toBeNull();
  });
});
