// The dashboard with 10,000 objects in three vaults: the page served by the app, the inventory a
// fixture answered by request interception (this measures rendering; building the inventory is
// measured elsewhere). Checks the state the page reaches, its filters against counts made here,
// user data shown as text only, and a polite answer to a refresh refused with 429. The time from
// navigation to table and chart is written to test-output/dashboard-render.json, not asserted.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HTTPRequest } from 'puppeteer-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { InventoryResponse } from '../../../src/inventory/model.js';
import { saveScreenshot, setInputValue, SharedBrowser, TEST_OUTPUT_DIR, type RecordedPage } from '../../support/browser.js';

// Page functions run in Chromium, where these exist.
declare const document: any;
declare const window: any;

const stack = inject('stack');
const DAY = 86_400_000;
const OBJECTS = 10_000;
const VAULTS = ['default', 'payments', 'hr'];
const ROTATION_STATES = ['none', 'scheduled', 'due', 'invalid', 'scheduled', 'none'] as const;
const RENEWAL_STATES = ['scheduled', 'due', 'auto-renew', 'in-progress', 'backing-off', 'scheduled'] as const;
const XSS_NAME = '<img src=x id=injected>';

type Item = InventoryResponse['items'][number];

/**
 * Expiries fall half a day away from any day boundary counted from `now`, so the page's own `now`
 * (a moment later) puts every object in the same window as the counts made here.
 */
function fixture(now: number): InventoryResponse {
  const items: Item[] = [];
  for (let index = 0; index < OBJECTS - 1; index += 1) {
    const vault = VAULTS[index % VAULTS.length]!;
    const kind = index % 5 === 0 ? 'certificate' : 'secret';
    const name = `${kind === 'secret' ? 'db-password' : 'web-cert'}-${String(index).padStart(5, '0')}`;
    const offsetDays = ((index * 7919) % 500) - 60;
    const base = vault === 'default' ? '' : `/vaults/${vault}`;
    const path = `${base}/${kind === 'secret' ? 'secrets' : 'certificates'}/${name}`;
    items.push({
      vault,
      kind,
      name,
      enabled: index % 23 !== 0,
      createdOn: new Date(now - 100 * DAY).toISOString(),
      ...(index % 11 === 0 ? {} : { expiresOn: new Date(now + (offsetDays + 0.5) * DAY).toISOString() }),
      tags: { env: ['prod', 'dev', 'test'][(index % 7) % 3]!, team: `team-${index % 17}` },
      path,
      url: `${stack.apiBaseUrl}${path}`,
      ...(kind === 'secret'
        ? { rotation: { state: ROTATION_STATES[index % ROTATION_STATES.length]!, policy: 'rotation-interval=P30D' } }
        : { renewal: { state: RENEWAL_STATES[index % RENEWAL_STATES.length]! } }),
      ...(index % 97 === 0 ? { lastFailure: { at: new Date(now - index * 60_000).toISOString(), reason: `webhook answered 500 (${index})` } } : {}),
    });
  }
  // User data that would run if the page parsed it as HTML, and a link that is not http(s).
  items.push({ vault: 'hr', kind: 'secret', name: XSS_NAME, enabled: true, tags: { '<b>x</b>': '<script>alert(1)</script>' }, path: '/x', url: 'javascript:alert(1)' });
  return {
    vaults: VAULTS.map((vault) => ({
      vault,
      vaultUrl: `https://${vault}.vault.azure.net`,
      generatedAt: new Date(now - 3_600_000).toISOString(),
      source: 'rotation-run',
      complete: vault !== 'hr',
      secrets: items.filter((item) => item.vault === vault && item.kind === 'secret').length,
      certificates: items.filter((item) => item.vault === vault && item.kind === 'certificate').length,
    })),
    items,
  };
}

const expiresWithin = (item: Item, now: number, days: number) =>
  item.expiresOn !== undefined && Date.parse(item.expiresOn) >= now && Date.parse(item.expiresOn) <= now + days * DAY;

const now = Date.now();
const inventory = fixture(now);
const inventoryRequests: { refresh: boolean; key: string | undefined }[] = [];
const chromium = new SharedBrowser();
let recorded: RecordedPage;

/** The page every test uses (the first test opens the dashboard in it): GET /api/inventory answered with the fixture, a refresh with 429. */
const session = () => chromium.page(interceptInventory).then((page) => (recorded = page));

async function interceptInventory({ page }: RecordedPage): Promise<void> {
  const body = JSON.stringify(inventory);
  await page.setRequestInterception(true);
  page.on('request', (request: HTTPRequest) => {
    const url = new URL(request.url());
    if (!url.pathname.endsWith('/api/inventory')) return void request.continue();
    const refresh = url.searchParams.get('refresh') === 'true';
    inventoryRequests.push({ refresh, key: request.headers()['x-functions-key'] });
    if (!refresh) return void request.respond({ status: 200, contentType: 'application/json', body });
    return void request.respond({
      status: 429,
      contentType: 'application/json',
      headers: { 'retry-after': '30', 'x-ms-error-code': 'RefreshTooSoon' },
      body: JSON.stringify({ error: { code: 'RefreshTooSoon', message: 'The inventory was refreshed a moment ago.' } }),
    });
  });
}

afterAll(() => chromium.close());

const rowCount = () => recorded.page.evaluate(() => document.querySelectorAll('#objects tr').length);
const countText = () => recorded.page.$eval('#count', (element: any) => element.textContent);
/** The page filters within the input event. */
const setFilter = (id: string, value: string) => setInputValue(recorded.page, id, value);
/** The number of matching objects the page reports. */
async function matching(): Promise<number> {
  const text = await countText();
  const match = /of ([\d,]+) (?:matching )?objects/.exec(text);
  if (!match) throw new Error(`unexpected count text: ${text}`);
  return Number(match[1]!.replaceAll(',', ''));
}

describe('the dashboard with 10,000 objects', () => {
  it('renders the table and the chart, and records how long that took', { timeout: 120_000 }, async () => {
    await session();
    const started = performance.now();
    await recorded.page.goto(`${stack.apiBaseUrl}/dashboard?code=${encodeURIComponent(stack.functionKey)}`, { waitUntil: 'domcontentloaded' });
    await recorded.page.waitForSelector('#dashboard[data-state="ready"]', { timeout: 90_000 });
    const wallClockMs = Math.round(performance.now() - started);

    expect(await rowCount()).toBe(200);
    expect(await countText()).toBe(`Showing 200 of ${OBJECTS.toLocaleString('en-US')} objects.`);
    const chart = await recorded.page.evaluate(() => {
      const drawn = window.Chart.getChart(document.getElementById('timeline'));
      return (
        drawn && {
          labels: drawn.data.labels.length,
          datasets: drawn.data.datasets.map((set: any) => ({ label: set.label, total: set.data.reduce((a: number, b: number) => a + b, 0) })),
        }
      );
    });
    expect(chart.labels).toBe(30);
    const in30Days = inventory.items.filter((item) => expiresWithin(item, now, 30));
    expect(chart.datasets).toEqual(VAULTS.map((vault) => ({ label: vault, total: in30Days.filter((item) => item.vault === vault).length })));
    expect(inventoryRequests[0]).toEqual({ refresh: false, key: stack.functionKey });

    const marks: Record<string, number> = await recorded.page.evaluate(() =>
      Object.fromEntries(window.performance.getEntriesByType('mark').map((mark: any) => [mark.name, Math.round(mark.startTime)])),
    );
    // Where the time went: each file the page loaded (start and end, after navigation).
    const resources: Record<string, [number, number]> = await recorded.page.evaluate(() =>
      Object.fromEntries(
        window.performance.getEntriesByType('resource').map((entry: any) => [new URL(entry.name).pathname, [Math.round(entry.startTime), Math.round(entry.responseEnd)]]),
      ),
    );
    const measurement = {
      objects: OBJECTS,
      navigationToReadyMs: marks['dashboard-ready'],
      navigationToInventoryMs: marks['inventory-received'],
      inventoryToReadyMs: marks['dashboard-ready']! - marks['inventory-received']!,
      resources,
      wallClockMs,
      rowsRendered: await rowCount(),
      chromium: await recorded.page.browser().version(),
      measuredAt: new Date().toISOString(),
    };
    const file = path.join(TEST_OUTPUT_DIR, 'dashboard-render.json');
    await saveScreenshot(recorded.page, 'dashboard-10000.png', { fullPage: false });
    await writeFile(file, `${JSON.stringify(measurement, null, 2)}\n`);
    console.log(`dashboard with ${OBJECTS} objects: table and chart ${measurement.navigationToReadyMs} ms after navigation (${wallClockMs} ms seen by the test); ${file}`);
    expect(measurement.navigationToReadyMs).toBeGreaterThan(0);
  });

  it('shows counts, vaults and recent failures', async () => {
    await session();
    const summary: Record<string, string> = await recorded.page.evaluate(() =>
      Object.fromEntries([...document.querySelectorAll('#summary button')].map((button: any) => [button.dataset.status || 'all', button.querySelector('strong').textContent])),
    );
    const items = inventory.items;
    const count = (predicate: (item: Item) => boolean) => items.filter(predicate).length.toLocaleString('en-US');
    expect(summary).toMatchObject({
      all: OBJECTS.toLocaleString('en-US'),
      expired: count((item) => item.expiresOn !== undefined && Date.parse(item.expiresOn) < now),
      '7d': count((item) => expiresWithin(item, now, 7)),
      '30d': count((item) => expiresWithin(item, now, 30)),
      '90d': count((item) => expiresWithin(item, now, 90)),
      failed: count((item) => item.lastFailure !== undefined || item.renewal?.state === 'backing-off'),
    });
    const vaultRows: string[][] = await recorded.page.evaluate(() =>
      [...document.querySelectorAll('#vaults tr')].map((row: any) => [...row.children].map((cell: any) => cell.textContent.trim())),
    );
    expect(vaultRows.map((cells) => cells[0])).toEqual(VAULTS.map((vault) => `${vault}https://${vault}.vault.azure.net`));
    expect(vaultRows.map((cells) => cells[2])).toEqual(['complete', 'complete', 'incomplete']);

    const failures: string[] = await recorded.page.evaluate(() => [...document.querySelectorAll('#failures .reason')].map((reason: any) => reason.textContent));
    const newestFirst = items
      .filter((item) => item.lastFailure)
      .sort((a, b) => Date.parse(b.lastFailure!.at) - Date.parse(a.lastFailure!.at))
      .map((item) => item.lastFailure!.reason);
    expect(failures).toEqual(newestFirst.slice(0, 20));
  });

  it('filters by vault, kind, tag, status, state and name, and shows more on request', async () => {
    await session();
    const items = inventory.items;
    await setFilter('filter-vault', 'payments');
    expect(await matching()).toBe(items.filter((item) => item.vault === 'payments').length);
    const vaultsShown: string[] = await recorded.page.evaluate(() => [
      ...new Set([...document.querySelectorAll('#objects tr')].map((row: any) => row.children[1].textContent)),
    ]);
    expect(vaultsShown).toEqual(['payments']);

    await setFilter('filter-kind', 'certificate');
    expect(await matching()).toBe(items.filter((item) => item.vault === 'payments' && item.kind === 'certificate').length);
    await setFilter('filter-vault', '');
    await setFilter('filter-kind', '');

    await setFilter('filter-tag', 'team=TEAM-3');
    expect(await matching()).toBe(items.filter((item) => item.tags['team'] === 'team-3').length);
    await setFilter('filter-tag', 'env');
    expect(await matching()).toBe(items.filter((item) => 'env' in item.tags).length);
    await setFilter('filter-tag', '');

    await setFilter('filter-status', 'expired');
    expect(await matching()).toBe(items.filter((item) => item.expiresOn !== undefined && Date.parse(item.expiresOn) < now).length);
    await setFilter('filter-status', '7d');
    expect(await matching()).toBe(items.filter((item) => expiresWithin(item, now, 7)).length);
    await setFilter('filter-status', '');

    await setFilter('filter-state', 'backing-off');
    expect(await matching()).toBe(items.filter((item) => item.renewal?.state === 'backing-off').length);
    await setFilter('filter-state', '');

    await setFilter('filter-search', 'WEB-CERT-0001');
    expect(await matching()).toBe(items.filter((item) => item.name.includes('web-cert-0001')).length);
    await setFilter('filter-search', '');

    expect(await countText()).toBe(`Showing 200 of ${OBJECTS.toLocaleString('en-US')} objects.`);
    await recorded.page.click('#more');
    await recorded.page.waitForFunction(() => document.querySelectorAll('#objects tr').length === 400);
  });

  it('switches the timeline between 7, 30 and 90 days', async () => {
    await session();
    for (const [days, buckets] of [
      [7, 7],
      [90, 13],
    ] as const) {
      await recorded.page.click(`#range button[data-days="${days}"]`);
      await recorded.page.waitForFunction((expected: number) => window.Chart.getChart(document.getElementById('timeline')).data.labels.length === expected, {}, buckets);
      const total: number = await recorded.page.evaluate(() =>
        window.Chart.getChart(document.getElementById('timeline')).data.datasets.reduce(
          (sum: number, set: any) => sum + set.data.reduce((a: number, b: number) => a + b, 0),
          0,
        ),
      );
      expect(total, `${days} days`).toBe(inventory.items.filter((item) => expiresWithin(item, now, days)).length);
    }
  });

  it('shows names and tags as text, and links only to http(s) URLs', async () => {
    await session();
    await setFilter('filter-search', XSS_NAME);
    expect(await matching()).toBe(1);
    const row = await recorded.page.evaluate(() => {
      const cells = document.querySelector('#objects tr').children;
      return { name: cells[0].textContent, links: cells[0].querySelectorAll('a').length, tags: cells[6].textContent };
    });
    expect(row).toEqual({ name: XSS_NAME, links: 0, tags: '<b>x</b>=<script>alert(1)</script>' });
    expect(await recorded.page.evaluate(() => document.getElementById('injected'))).toBeNull();
    await setFilter('filter-search', '');
  });

  it('answers a refused refresh (429) with its message, and no script error', async () => {
    await session();
    await recorded.page.click('#refresh');
    await recorded.page.waitForFunction(() => document.getElementById('status').dataset.kind === 'warning');
    expect(await recorded.page.$eval('#status', (element: any) => element.textContent)).toBe('The inventory was refreshed a moment ago.');
    expect(await recorded.page.$eval('#refresh', (element: any) => ({ disabled: element.disabled, text: element.textContent }))).toEqual({
      disabled: true,
      text: expect.stringMatching(/^Refresh \(\d+ s\)$/),
    });
    expect(inventoryRequests.at(-1)).toEqual({ refresh: true, key: stack.functionKey });
    // The table still shows the last inventory.
    expect(await rowCount()).toBeGreaterThan(0);

    // Chromium itself logs the 429 response ("Failed to load resource"); nothing else may be logged.
    expect(recorded.consoleErrors.filter((text) => !/Failed to load resource: the server responded with a status of 429/.test(text))).toEqual([]);
    expect(recorded.failedRequests.filter((text) => !/\/api\/inventory\?refresh=true: 429$/.test(text))).toEqual([]);
    expect(recorded.pageErrors).toEqual([]);
    expect(recorded.cspViolations).toEqual([]);
  });
});

describe('the Content-Security-Policy', () => {
  it('refuses inline scripts and styles on the page (and the harness reports each refusal)', async () => {
    await session();
    await recorded.page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      const style = document.createElement('style');
      style.textContent = 'body { color: red }';
      document.body.append(script, style);
    });
    expect(await recorded.page.evaluate(() => window.inlineRan)).toBeUndefined();
    await expect.poll(() => recorded.cspViolations.length).toBeGreaterThanOrEqual(2);
    expect(recorded.cspViolations.join('\n')).toMatch(/script-src/);
    expect(recorded.cspViolations.join('\n')).toMatch(/style-src/);
  });
});
