// The API docs page in a real browser: Swagger UI loads the generated document and lists the
// operations, under the page's Content-Security-Policy, without a script error.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SharedBrowser } from '../../support/browser.js';

declare const document: any;

const stack = inject('stack');
const chromium = new SharedBrowser();
afterAll(() => chromium.close());

describe('GET /api/docs in Chromium', () => {
  it('shows the operations, with no console error, failed request or CSP violation', async () => {
    const recorded = await chromium.page();
    await recorded.page.goto(`${stack.apiBaseUrl}/docs`, { waitUntil: 'domcontentloaded' });
    await recorded.page.waitForSelector('.opblock', { timeout: 30_000 });
    const paths: string[] = await recorded.page.evaluate(() => [...document.querySelectorAll('.opblock-summary-path')].map((element: any) => element.textContent));
    expect(paths).toEqual(expect.arrayContaining(['/secrets/{name}', '/certificates/{name}', '/health']));
    expect(recorded.consoleErrors).toEqual([]);
    expect(recorded.pageErrors).toEqual([]);
    expect(recorded.failedRequests).toEqual([]);
    expect(recorded.cspViolations).toEqual([]);
  });
});
