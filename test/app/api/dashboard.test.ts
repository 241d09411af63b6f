// GET /api/dashboard over HTTP: the page is keyed, its files are not; both carry a CSP that
// allows no inline script or style, and the markup has none. It is not part of the JSON API.
import { describe, expect, inject, it } from 'vitest';
import { DASHBOARD_ASSETS } from '../../../src/dashboard/files.js';
import { ApiClient } from '../../support/api.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);

describe('the dashboard page and its files', () => {
  it('serves the page with a function key only, kept out of every cache', async () => {
    expect((await api.get('/dashboard', { key: false })).status).toBe(401);
    const page = await api.get(`/dashboard?code=${encodeURIComponent(stack.functionKey)}`, { key: false });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-');
  });

  it('has no inline script, style, event handler or style attribute in its markup', async () => {
    const html = (await api.get('/dashboard')).text;
    for (const script of html.match(/<script\b[^>]*>/g) ?? []) expect(script).toMatch(/\ssrc="dashboard\/[\w.-]+\.js"/);
    expect(html).not.toMatch(/<script\b[^>]*>[^<\s]/);
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
  });

  it('serves its own files to anyone, and nothing else', async () => {
    const html = (await api.get('/dashboard')).text;
    for (const asset of Object.keys(DASHBOARD_ASSETS)) {
      const file = await api.get(`/dashboard/${asset}`, { key: false });
      expect(file.status, asset).toBe(200);
      expect(file.headers.get('content-type'), asset).toMatch(/^text\/(javascript|css)/);
      expect(file.headers.get('cache-control'), asset).toMatch(/^public, max-age=\d+$/);
      expect(file.headers.get('x-content-type-options'), asset).toBe('nosniff');
      if (asset !== 'model.js' && asset !== 'render.js') expect(html, asset).toContain(`dashboard/${asset}`);
    }
    for (const missing of ['package.json', 'files.ts', 'index.html', '..%2F..%2Fhost.json', '__proto__', 'constructor']) {
      expect((await api.get(`/dashboard/${missing}`, { key: false })).status, missing).toBe(404);
    }
  });

  it('is no operation of the JSON API', async () => {
    const document = (await api.get('/openapi.json', { key: false })).body;
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/dashboard'))).toEqual([]);
    expect(document.paths['/inventory']).toBeDefined();
  });
});
