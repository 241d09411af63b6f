// The dashboard's elements, built with createElement and textContent only: names, tags and
// failure reasons are user data and are never parsed as HTML.
import { DAY_MS, STATUSES } from './model.js';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const PALETTE = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#65a30d', '#4b5563'];
const TAGS_SHOWN = 4;

export function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** "in 3 days", "5 hours ago". */
export function fromNow(ms, now) {
  const diff = ms - now;
  const abs = Math.abs(diff);
  if (abs < 3_600_000) return relative.format(Math.round(diff / 60_000), 'minute');
  if (abs < DAY_MS) return relative.format(Math.round(diff / 3_600_000), 'hour');
  return relative.format(Math.round(diff / DAY_MS), 'day');
}

function time(iso, now) {
  const ms = Date.parse(iso);
  const element = el('time', undefined, Number.isNaN(ms) ? iso : `${dateTime.format(ms)} (${fromNow(ms, now)})`);
  element.dateTime = iso;
  return element;
}

/** The object's API URL, if it is one (an http(s) URL): anything else is not made a link. */
function safeHref(url) {
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

function objectLink(item) {
  const href = safeHref(item.url);
  if (!href) return el('span', undefined, item.name);
  const link = el('a', undefined, item.name);
  link.href = href;
  link.rel = 'noreferrer';
  return link;
}

const EXPIRY_WINDOWS = ['7d', '30d', '90d'];
const BADGE_TEXT = {
  expired: 'expired',
  '7d': '≤ 7 days',
  '30d': '≤ 30 days',
  '90d': '≤ 90 days',
  due: 'due',
  failed: 'failed',
  invalid: 'invalid policy',
  disabled: 'disabled',
  ok: 'ok',
};

function statusCell(statuses) {
  const cell = el('td');
  // Only the nearest expiry window: ≤ 7 days implies the others.
  const nearest = EXPIRY_WINDOWS.find((status) => statuses.includes(status));
  for (const status of statuses) {
    if (EXPIRY_WINDOWS.includes(status) && status !== nearest) continue;
    const badge = el('span', `badge badge-${status}`, BADGE_TEXT[status]);
    badge.title = STATUSES[status];
    cell.append(badge);
  }
  return cell;
}

function policyCell(item, now) {
  const cell = el('td');
  const policy = item.rotation ?? item.renewal;
  if (!policy) return cell;
  cell.append(el('span', `badge state-${policy.state}`, policy.state));
  const details = [];
  if (item.rotation?.policy) details.push(item.rotation.policy);
  if (item.rotation?.nextDueAt) details.push(`next ${fromNow(Date.parse(item.rotation.nextDueAt), now)}`);
  if (item.rotation?.lastRotatedAt) details.push(`rotated ${fromNow(Date.parse(item.rotation.lastRotatedAt), now)}`);
  if (item.renewal?.dueAt) details.push(`renewal ${fromNow(Date.parse(item.renewal.dueAt), now)}`);
  if (item.renewal?.retryAt) details.push(`retry ${fromNow(Date.parse(item.renewal.retryAt), now)}`);
  if (policy.problem) details.push(policy.problem);
  if (details.length > 0) cell.append(el('div', 'detail', details.join(' · ')));
  return cell;
}

function tagsCell(tags) {
  const cell = el('td', 'tags');
  const entries = Object.entries(tags);
  for (const [name, value] of entries.slice(0, TAGS_SHOWN)) cell.append(el('span', 'tag', `${name}=${value}`));
  if (entries.length > TAGS_SHOWN) {
    const more = el('span', 'tag more', `+${entries.length - TAGS_SHOWN}`);
    more.title = entries
      .slice(TAGS_SHOWN)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n');
    cell.append(more);
  }
  return cell;
}

function objectRow({ item, expires, statuses }, now) {
  const row = el('tr');
  const name = el('td', 'name');
  name.append(objectLink(item));
  const expiry = el('td', 'expires');
  if (!Number.isNaN(expires)) expiry.append(time(item.expiresOn, now));
  row.append(name, el('td', undefined, item.vault), el('td', undefined, item.kind), expiry, statusCell(statuses), policyCell(item, now), tagsCell(item.tags));
  return row;
}

/** Appends rows[from..to) to the table body in one DOM operation. */
export function appendObjectRows(tbody, rows, from, to, now) {
  const fragment = document.createDocumentFragment();
  for (let index = from; index < Math.min(to, rows.length); index += 1) fragment.append(objectRow(rows[index], now));
  tbody.append(fragment);
}

const SUMMARY = [
  ['expired', 'expired'],
  ['7d', 'expire ≤ 7 days'],
  ['30d', 'expire ≤ 30 days'],
  ['90d', 'expire ≤ 90 days'],
  ['due', 'rotation or renewal due'],
  ['failed', 'failures'],
  ['invalid', 'invalid policies'],
];

/** One button per count: pressing it filters the table by that status. */
export function renderSummary(list, total, counts) {
  const items = [['', 'objects', total], ...SUMMARY.map(([status, label]) => [status, label, counts[status]])].map(([status, label, count]) => {
    const button = el('button', `card${count > 0 && status && status !== '90d' ? ' attention' : ''}`);
    button.type = 'button';
    button.dataset.status = status;
    button.append(el('strong', undefined, count.toLocaleString()), el('span', undefined, label));
    const item = el('li');
    item.append(button);
    return item;
  });
  list.replaceChildren(...items);
}

export function renderVaults(tbody, vaults, now) {
  tbody.replaceChildren(
    ...vaults.map((vault) => {
      const row = el('tr');
      const name = el('td');
      name.append(el('strong', undefined, vault.vault), el('div', 'detail', vault.vaultUrl));
      const built = el('td');
      if (vault.generatedAt) {
        built.append(time(vault.generatedAt, now));
        if (vault.source) built.append(el('div', 'detail', vault.source === 'refresh' ? 'by a refresh' : 'by the rotation run'));
      } else {
        built.append(el('span', 'detail', 'not yet: press Refresh'));
      }
      const complete = el('td');
      complete.append(vault.complete ? el('span', 'badge badge-ok', 'complete') : el('span', 'badge badge-failed', 'incomplete'));
      row.append(name, built, complete, el('td', 'number', String(vault.secrets)), el('td', 'number', String(vault.certificates)));
      return row;
    }),
  );
}

export function renderFailures(list, failed, limit, now) {
  list.replaceChildren(
    ...failed.slice(0, limit).map(({ item }) => {
      const entry = el('li');
      const heading = el('div', 'failure-head');
      heading.append(time(item.lastFailure.at, now), el('span', 'detail', ` ${item.vault} · ${item.kind} · `), objectLink(item));
      entry.append(heading, el('div', 'reason', item.lastFailure.reason));
      return entry;
    }),
  );
  if (failed.length > limit) list.append(el('li', 'detail', `and ${failed.length - limit} more (Status: failed in the table below)`));
}

/** Draws the timeline, or updates the chart already drawn on the canvas. */
export function drawTimeline(canvas, line) {
  const labels = line.starts.map((start) => shortDate.format(start));
  const datasets = line.series.map(({ vault, values }, index) => ({ label: vault, data: values, backgroundColor: PALETTE[index % PALETTE.length], stack: 'expiring' }));
  const existing = window.Chart.getChart(canvas);
  if (existing) {
    existing.data = { labels, datasets };
    existing.options.scales.x.title.text = line.bucketDays === 1 ? 'day' : 'week starting';
    existing.update();
    return existing;
  }
  return new window.Chart(canvas, {
    type: 'bar',
    data: { labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: true, title: { display: true, text: line.bucketDays === 1 ? 'day' : 'week starting' } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'objects expiring' } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}
