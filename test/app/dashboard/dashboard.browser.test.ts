// The dashboard end to end, in Chromium, against the shared stack: objects seeded with the SDK
// (expired, expiring within 7, 30 and 90 days, later, a rotation policy, an invalid one, a
// certificate), an inventory built with GET /api/inventory?refresh=true, and the page opened
// with ?code=<function key> as a user opens it. Its timeline, table and filters show the seeded
// objects; no value reaches the page, and the page logs no error and breaks no CSP rule.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { InventoryResponse } from '../../../src/inventory/model.js';
import { ApiClient, uniqueName } from '../../support/api.js';
import { saveScreenshot, setInputValue, SharedBrowser, type RecordedPage } from '../../support/browser.js';
import { appVaultClients } from '../../support/vault.js';

declare const document: any;
declare const window: any;

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);
const canary = `CANARY-${Math.random().toString(36).slice(2)}-DASHBOARD`;
const DAY = 86_400_000;
const prefix = uniqueName('dash');
const name = (suffix: string) => `${prefix}-${suffix}`;
/** Half a day away from a day boundary, so that the moment the page loads changes no bucket. */
const inDays = (days: number) => new Date(Date.now() + (days + 0.5) * DAY);

const seeded = {
  expired: name('expired'),
  week: name('week'),
  month: name('month'),
  quarter: name('quarter'),
  later: name('later'),
  rotating: name('rotating'),
  invalid: name('invalid'),
  cert: name('cert'),
};
/** One secret in each further vault the stack serves, if it serves more than the default. */
const otherVaults = Object.keys(stack.vaults).filter((alias) => stack.vaults[alias] !== stack.vault.url);
const inOtherVault = (alias: string) => name(`in-${alias}`);

const chromium = new SharedBrowser();
let recorded: RecordedPage;
let inventory: InventoryResponse;
/** The page every test uses (the first test opens the dashboard in it). */
const session = () => chromium.page().then((page) => (recorded = page));

async function seed(): Promise<void> {
  const vault = appVaultClients(stack.vault.url, stack.identity);
  const certificate = await vault.certificates.beginCreateCertificate(
    seeded.cert,
    { issuerName: 'Self', subject: `CN=${seeded.cert}`, validityInMonths: 2 },
    { tags: { env: 'prod' } },
  );
  await Promise.all([
    vault.secrets.setSecret(seeded.expired, canary, { expiresOn: inDays(-3), tags: { env: 'prod', team: 'blue' } }),
    vault.secrets.setSecret(seeded.week, canary, { expiresOn: inDays(3), tags: { env: 'prod' } }),
    vault.secrets.setSecret(seeded.month, canary, { expiresOn: inDays(20), tags: { env: 'dev' } }),
    vault.secrets.setSecret(seeded.quarter, canary, { expiresOn: inDays(60), tags: { env: 'dev', team: 'blue' } }),
    vault.secrets.setSecret(seeded.later, canary, { expiresOn: inDays(200) }),
    vault.secrets.setSecret(seeded.rotating, canary, { tags: { 'rotation-interval': 'P30D' } }),
    vault.secrets.setSecret(seeded.invalid, canary, { tags: { 'rotation-interval': 'every tuesday' } }),
    ...otherVaults.map((alias) => appVaultClients(stack.vaults[alias]!, stack.identity).secrets.setSecret(inOtherVault(alias), canary, { expiresOn: inDays(3) })),
  ]);
  await certificate.pollUntilDone();
}

/** Rebuilds the inventory until it holds every seeded object, waiting out Retry-After when a refresh is refused. */
async function refreshedInventory(): Promise<InventoryResponse> {
  const wanted = [...Object.values(seeded), ...otherVaults.map(inOtherVault)];
  const deadline = Date.now() + 180_000;
  for (;;) {
    const response = await api.get<InventoryResponse>('/inventory?refresh=true');
    expect([200, 429], response.text).toContain(response.status);
    expect(response.text).not.toContain('CANARY-');
    if (response.status === 200 && wanted.every((wantedName) => response.body.items.some((item) => item.name === wantedName))) return response.body;
    if (Date.now() > deadline) throw new Error(`the inventory did not come to hold the seeded objects (last answer ${response.status})`);
    await sleep(response.status === 429 ? Number(response.headers.get('retry-after')) * 1000 : 1000);
  }
}

beforeAll(async () => {
  await seed();
  inventory = await refreshedInventory();
}, 300_000);

afterAll(() => chromium.close());

const shownNames = (): Promise<string[]> => recorded.page.evaluate(() => [...document.querySelectorAll('#objects tr td.name')].map((cell: any) => cell.textContent).sort());
/** The page filters within the input event. */
const setFilter = (id: string, value: string) => setInputValue(recorded.page, id, value);
/** The seeded objects the table shows with these filters (and the name filter on this test's prefix). */
async function shownWith(filters: Record<string, string>): Promise<string[]> {
  for (const [id, value] of Object.entries(filters)) await setFilter(`filter-${id}`, value);
  const shown = await shownNames();
  for (const id of Object.keys(filters)) await setFilter(`filter-${id}`, '');
  return shown;
}
const timelineOf = (): Promise<Record<string, number[]>> =>
  recorded.page.evaluate(() => Object.fromEntries(window.Chart.getChart(document.getElementById('timeline')).data.datasets.map((set: any) => [set.label, set.data])));

describe('the dashboard, end to end', () => {
  it('opens with the function key and shows the seeded objects in the table', { timeout: 120_000 }, async () => {
    await session();
    await recorded.page.goto(`${stack.apiBaseUrl}/dashboard?code=${encodeURIComponent(stack.functionKey)}`, { waitUntil: 'domcontentloaded' });
    await recorded.page.waitForSelector('#dashboard[data-state="ready"]', { timeout: 60_000 });

    await setFilter('filter-search', prefix);
    expect(await shownNames()).toEqual([...Object.values(seeded), ...otherVaults.map(inOtherVault)].sort());
    const rows: Record<string, { href: string; kind: string; policy: string }> = await recorded.page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll('#objects tr')].map((row: any) => [
          row.children[0].textContent,
          { href: row.querySelector('a')?.href, kind: row.children[2].textContent, policy: row.children[5].querySelector('.badge')?.textContent },
        ]),
      ),
    );
    expect(rows[seeded.week]).toMatchObject({ href: `${stack.apiBaseUrl}/secrets/${seeded.week}`, kind: 'secret', policy: 'none' });
    expect(rows[seeded.rotating]!.policy).toBe('scheduled');
    expect(rows[seeded.invalid]!.policy).toBe('invalid');
    expect(rows[seeded.cert]).toMatchObject({ href: `${stack.apiBaseUrl}/certificates/${seeded.cert}`, kind: 'certificate', policy: expect.any(String) });

    const vaults: string[] = await recorded.page.evaluate(() => [...document.querySelectorAll('#vaults tr')].map((row: any) => row.textContent));
    expect(vaults).toHaveLength(inventory.vaults.length);
    expect(vaults.find((row) => row.startsWith('default'))).toMatch(/complete/);
    await saveScreenshot(recorded.page, 'dashboard.png');
  });

  it('puts them on the timeline for 7, 30 and 90 days', async () => {
    await session();
    await recorded.page.click('#range button[data-days="7"]');
    await recorded.page.waitForFunction(() => window.Chart.getChart(document.getElementById('timeline')).data.labels.length === 7);
    expect((await timelineOf())['default']![3]).toBeGreaterThanOrEqual(1);
    for (const alias of otherVaults) expect((await timelineOf())[alias]![3], alias).toBeGreaterThanOrEqual(1);
    await recorded.page.click('#range button[data-days="30"]');
    await recorded.page.waitForFunction(() => window.Chart.getChart(document.getElementById('timeline')).data.labels.length === 30);
    expect((await timelineOf())['default']![20]).toBeGreaterThanOrEqual(1);
    await recorded.page.click('#range button[data-days="90"]');
    await recorded.page.waitForFunction(() => window.Chart.getChart(document.getElementById('timeline')).data.labels.length === 13);
    // The quarter secret (60 days) and the two-month certificate, in weeks 8 and 8 or 9.
    const weeks = (await timelineOf())['default']!;
    expect(weeks[8]! + weeks[9]!).toBeGreaterThanOrEqual(2);
  });

  it('narrows the table by vault, kind, tag, status and rotation state', async () => {
    await session();
    expect(await shownWith({ kind: 'certificate' })).toEqual([seeded.cert]);
    expect(await shownWith({ status: 'expired' })).toEqual([seeded.expired]);
    expect(await shownWith({ status: '7d', vault: 'default' })).toEqual([seeded.week]);
    expect(await shownWith({ status: '30d', vault: 'default' })).toEqual([seeded.month, seeded.week].sort());
    expect(await shownWith({ status: '90d', vault: 'default' })).toEqual([seeded.cert, seeded.month, seeded.quarter, seeded.week].sort());
    expect(await shownWith({ status: 'invalid' })).toEqual([seeded.invalid]);
    expect(await shownWith({ state: 'invalid' })).toEqual([seeded.invalid]);
    expect(await shownWith({ state: 'scheduled' })).toContain(seeded.rotating);
    expect(await shownWith({ tag: 'env=prod', kind: 'secret' })).toEqual([seeded.expired, seeded.week].sort());
    expect(await shownWith({ tag: 'team' })).toEqual([seeded.expired, seeded.quarter].sort());
    for (const alias of otherVaults) expect(await shownWith({ vault: alias })).toEqual([inOtherVault(alias)]);
    expect((await shownWith({ vault: 'default' })).length).toBe(Object.keys(seeded).length);
  });

  it('refreshes on request, or says politely why not (429)', { timeout: 60_000 }, async () => {
    await session();
    await recorded.page.click('#refresh');
    await recorded.page.waitForFunction(
      () => ['warning', 'error'].includes(document.getElementById('status').dataset.kind) || document.getElementById('status').textContent === 'Inventory refreshed.',
    );
    const status = await recorded.page.$eval('#status', (element: any) => ({ kind: element.dataset.kind, text: element.textContent }));
    // The test's own refresh was moments ago: INVENTORY_REFRESH_SECONDS (60 s) has likely not passed.
    if (status.kind === 'warning') expect(status.text).toMatch(/refresh again in \d+ s/);
    else expect(status).toEqual({ kind: 'info', text: 'Inventory refreshed.' });
  });

  it('never shows a value, logs no error and breaks no CSP rule', async () => {
    await session();
    expect(await recorded.page.evaluate(() => document.documentElement.outerHTML)).not.toContain('CANARY-');
    const bodies = await recorded.responseBodies();
    expect(bodies.map((response) => new URL(response.url).pathname)).toContain('/api/inventory');
    for (const { url, body } of bodies) expect(body, url).not.toContain('CANARY-');

    // Chromium itself logs a refused refresh's 429 ("Failed to load resource"); nothing else may be logged.
    const refused = /Failed to load resource: the server responded with a status of 429|\/api\/inventory\?refresh=true: 429$/;
    expect(recorded.consoleErrors.filter((text) => !refused.test(text))).toEqual([]);
    expect(recorded.failedRequests.filter((text) => !refused.test(text))).toEqual([]);
    expect(recorded.pageErrors).toEqual([]);
    expect(recorded.cspViolations).toEqual([]);
  });
});
