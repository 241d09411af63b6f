// The inventory dashboard: loads GET /api/inventory with the key the page was opened with
// (?code=) and shows counts, the expiry timeline, the vaults, recent failures and a filterable
// table, PAGE_SIZE rows at a time so that tens of thousands of objects stay quick.
import { STATES, STATUSES, countStatuses, failedRows, filterRows, prepareRows, timeline } from './model.js';
import { appendObjectRows, drawTimeline, el, fromNow, renderFailures, renderSummary, renderVaults } from './render.js';

const PAGE_SIZE = 200;
const FAILURES_SHOWN = 20;
const TAG_SUGGESTIONS = 200;
// Relative to this script (…/api/dashboard/dashboard.js), so that any base path works.
const INVENTORY_URL = new URL('../inventory', import.meta.url);
const key = new URLSearchParams(window.location.search).get('code');

const $ = (id) => document.getElementById(id);
const filters = { vault: $('filter-vault'), kind: $('filter-kind'), status: $('filter-status'), state: $('filter-state'), tag: $('filter-tag'), search: $('filter-search') };
const view = { rows: [], vaults: [], filtered: [], shown: 0, days: 30, now: Date.now(), loads: 0 };
let refreshBlockedUntil = 0;

function showStatus(text, kind = 'info') {
  const status = $('status');
  status.textContent = text;
  status.dataset.kind = kind;
}

/** The API's error message (`{"error":{"code","message"}}`), or the status line. */
async function errorMessage(response) {
  try {
    const body = await response.json();
    if (typeof body?.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON: fall back to the status
  }
  return `${response.status} ${response.statusText}`.trim();
}

/** After a refused refresh: the button waits out Retry-After, counting down. */
function holdRefresh(seconds) {
  const button = $('refresh');
  refreshBlockedUntil = Date.now() + seconds * 1000;
  const tick = () => {
    const left = Math.ceil((refreshBlockedUntil - Date.now()) / 1000);
    if (left > 0) {
      button.textContent = `Refresh (${left} s)`;
      setTimeout(tick, 1000);
    } else {
      button.textContent = 'Refresh';
      button.disabled = false;
    }
  };
  tick();
}

async function load(refresh) {
  const button = $('refresh');
  button.disabled = true;
  $('dashboard').dataset.state = view.loads === 0 ? 'loading' : 'refreshing';
  showStatus(refresh ? 'Refreshing the inventory…' : 'Loading the inventory…');
  try {
    const url = new URL(INVENTORY_URL);
    if (refresh) url.searchParams.set('refresh', 'true');
    const response = await fetch(url, { headers: key ? { 'x-functions-key': key } : {}, cache: 'no-store' });
    if (response.status === 429) {
      showStatus(await errorMessage(response), 'warning');
      holdRefresh(Number(response.headers.get('retry-after')) || 0);
    } else if (!response.ok) {
      showStatus(`The inventory could not be loaded: ${await errorMessage(response)}`, 'error');
    } else {
      const inventory = await response.json();
      performance.mark('inventory-received');
      show(inventory);
      showStatus(refresh ? 'Inventory refreshed.' : '');
    }
  } catch (error) {
    showStatus(`The inventory could not be loaded: ${error instanceof Error ? error.message : String(error)}`, 'error');
  } finally {
    if (Date.now() >= refreshBlockedUntil) button.disabled = false;
    const main = $('dashboard');
    if (view.loads === 0) main.dataset.state = 'error';
    else {
      requestAnimationFrame(() => {
        main.dataset.state = 'ready';
        performance.mark('dashboard-ready');
      });
    }
  }
}

function options(select, entries) {
  const selected = select.value;
  select.replaceChildren(
    ...entries.map(([value, label]) => {
      const option = el('option', undefined, label);
      option.value = value;
      return option;
    }),
  );
  if (entries.some(([value]) => value === selected)) select.value = selected;
}

function show(inventory) {
  view.now = Date.now();
  view.vaults = inventory.vaults;
  view.rows = prepareRows(inventory.items, view.now);
  view.loads += 1;
  const vaultNames = [...new Set([...inventory.vaults.map((vault) => vault.vault), ...inventory.items.map((item) => item.vault)])];
  options(filters.vault, [['', 'All'], ...vaultNames.map((name) => [name, name])]);
  const tagNames = new Set();
  for (const { item } of view.rows) {
    for (const name of Object.keys(item.tags)) if (tagNames.size < TAG_SUGGESTIONS) tagNames.add(name);
  }
  $('tag-names').replaceChildren(...[...tagNames].sort().map((name) => Object.assign(el('option'), { value: name })));

  renderSummary($('summary'), view.rows.length, countStatuses(view.rows));
  renderVaults($('vaults'), inventory.vaults, view.now);
  const failed = failedRows(view.rows);
  renderFailures($('failures'), failed, FAILURES_SHOWN, view.now);
  $('failures-empty').hidden = failed.length > 0;
  drawChart();
  applyFilters();
  $('dashboard').dataset.loads = String(view.loads);
  const oldest = Math.min(...inventory.vaults.map((vault) => (vault.generatedAt ? Date.parse(vault.generatedAt) : Infinity)));
  document.title = Number.isFinite(oldest) ? `Key Vault inventory (built ${fromNow(oldest, view.now)})` : 'Key Vault inventory';
}

function drawChart() {
  const line = timeline(
    view.rows,
    view.vaults.map((vault) => vault.vault),
    view.now,
    view.days,
  );
  const objects = line.total === 1 ? '1 object expires' : `${line.total.toLocaleString()} objects expire`;
  $('timeline-caption').textContent = `${objects} in the next ${view.days} days (per ${line.bucketDays === 1 ? 'day' : 'week'}, by vault).`;
  for (const button of $('range').querySelectorAll('button')) button.setAttribute('aria-pressed', String(Number(button.dataset.days) === view.days));
  if (window.Chart) drawTimeline($('timeline'), line);
  else showStatus('The chart library did not load; the table below is complete.', 'error');
}

function applyFilters() {
  view.filtered = filterRows(view.rows, Object.fromEntries(Object.entries(filters).map(([name, input]) => [name, input.value])));
  view.shown = 0;
  $('objects').replaceChildren();
  showMore();
}

function showMore() {
  const next = Math.min(view.filtered.length, view.shown + PAGE_SIZE);
  appendObjectRows($('objects'), view.filtered, view.shown, next, view.now);
  view.shown = next;
  const all = view.rows.length;
  const matching = view.filtered.length;
  $('count').textContent =
    matching === all
      ? `Showing ${next.toLocaleString()} of ${all.toLocaleString()} objects.`
      : `Showing ${next.toLocaleString()} of ${matching.toLocaleString()} matching objects (${all.toLocaleString()} in all).`;
  const more = $('more');
  more.hidden = next >= matching;
  more.textContent = `Show ${Math.min(PAGE_SIZE, matching - next).toLocaleString()} more`;
}

options(filters.status, [['', 'Any'], ...Object.entries(STATUSES)]);
options(filters.state, [['', 'Any'], ...STATES.map((state) => [state, state])]);
for (const input of Object.values(filters)) input.addEventListener('input', applyFilters);
$('more').addEventListener('click', showMore);
$('refresh').addEventListener('click', () => void load(true));
$('range').addEventListener('click', (event) => {
  const button = event.target.closest('button[data-days]');
  if (!button) return;
  view.days = Number(button.dataset.days);
  drawChart();
});
$('summary').addEventListener('click', (event) => {
  const card = event.target.closest('button[data-status]');
  if (!card) return;
  filters.status.value = card.dataset.status;
  applyFilters();
});
void load(false);
