// What the dashboard computes from GET /api/inventory: each object's statuses, the table's
// filters, the summary counts and the timeline's buckets. No DOM here.

export const DAY_MS = 86_400_000;

/** Statuses an object can have at once (an object expiring in 5 days is `7d`, `30d` and `90d`). */
export const STATUSES = {
  expired: 'Expired',
  '7d': 'Expires within 7 days',
  '30d': 'Expires within 30 days',
  '90d': 'Expires within 90 days',
  due: 'Rotation or renewal due',
  failed: 'Last rotation or renewal failed',
  invalid: 'Invalid rotation or renewal policy',
  disabled: 'Disabled',
  ok: 'Nothing to do within 30 days',
};

/** Rotation states (secrets) and renewal states (certificates), as src/inventory/model.ts names them. */
export const STATES = ['none', 'scheduled', 'due', 'invalid', 'managed', 'auto-renew', 'in-progress', 'backing-off'];

const NEEDS_ATTENTION = ['expired', '30d', 'due', 'failed', 'invalid'];

/** The inventory's items as table rows: computed once per load, sorted by expiry (none last), vault and name. */
export function prepareRows(items, now) {
  const rows = items.map((item) => {
    const expires = item.expiresOn ? Date.parse(item.expiresOn) : NaN;
    const policy = item.rotation ?? item.renewal;
    return { item, expires, state: policy?.state ?? 'none', lowerName: item.name.toLowerCase(), statuses: statusesOf(item, expires, now) };
  });
  return rows.sort(
    (a, b) =>
      (Number.isNaN(a.expires) ? Infinity : a.expires) - (Number.isNaN(b.expires) ? Infinity : b.expires) ||
      compareText(a.item.vault, b.item.vault) ||
      compareText(a.item.name, b.item.name),
  );
}

function compareText(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function statusesOf(item, expires, now) {
  const statuses = [];
  if (expires < now) statuses.push('expired');
  for (const days of [7, 30, 90]) if (expires >= now && expires <= now + days * DAY_MS) statuses.push(`${days}d`);
  const states = [item.rotation?.state, item.renewal?.state];
  if (states.includes('due')) statuses.push('due');
  if (item.lastFailure || states.includes('backing-off')) statuses.push('failed');
  if (states.includes('invalid')) statuses.push('invalid');
  if (!item.enabled) statuses.push('disabled');
  if (!statuses.some((status) => NEEDS_ATTENTION.includes(status))) statuses.push('ok');
  return statuses;
}

/** `name` or `name=value`, compared without regard to case; undefined when empty. */
export function parseTagFilter(text) {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const at = trimmed.indexOf('=');
  if (at < 0) return { name: trimmed.toLowerCase() };
  return {
    name: trimmed.slice(0, at).trim().toLowerCase(),
    value: trimmed
      .slice(at + 1)
      .trim()
      .toLowerCase(),
  };
}

function hasTag(tags, filter) {
  for (const [name, value] of Object.entries(tags)) {
    if (name.toLowerCase() === filter.name && (filter.value === undefined || value.toLowerCase() === filter.value)) return true;
  }
  return false;
}

/** The rows that pass every filter set: `{vault, kind, status, state, tag, search}` (empty strings: any). */
export function filterRows(rows, filters) {
  const tag = parseTagFilter(filters.tag);
  const search = filters.search.trim().toLowerCase();
  return rows.filter(
    ({ item, statuses, state, lowerName }) =>
      (!filters.vault || item.vault === filters.vault) &&
      (!filters.kind || item.kind === filters.kind) &&
      (!filters.status || statuses.includes(filters.status)) &&
      (!filters.state || state === filters.state) &&
      (!tag || hasTag(item.tags, tag)) &&
      (!search || lowerName.includes(search)),
  );
}

/** How many rows have each status. */
export function countStatuses(rows) {
  const counts = Object.fromEntries(Object.keys(STATUSES).map((status) => [status, 0]));
  for (const row of rows) for (const status of row.statuses) counts[status] += 1;
  return counts;
}

/**
 * Objects expiring within `days` of `now` (the same window as the `7d`, `30d` and `90d` statuses),
 * counted per vault in buckets of a day (a week beyond 30 days) starting at `now`.
 */
export function timeline(rows, vaults, now, days) {
  const bucketDays = days > 30 ? 7 : 1;
  const buckets = Math.ceil(days / bucketDays);
  const end = now + days * DAY_MS;
  const counts = new Map(vaults.map((vault) => [vault, new Array(buckets).fill(0)]));
  let total = 0;
  for (const { item, expires } of rows) {
    if (!(expires >= now && expires <= end)) continue;
    if (!counts.has(item.vault)) counts.set(item.vault, new Array(buckets).fill(0));
    counts.get(item.vault)[Math.min(buckets - 1, Math.floor((expires - now) / (bucketDays * DAY_MS)))] += 1;
    total += 1;
  }
  const starts = Array.from({ length: buckets }, (_, index) => now + index * bucketDays * DAY_MS);
  return { bucketDays, starts, total, series: [...counts].map(([vault, values]) => ({ vault, values })) };
}

/** Rows whose last rotation or renewal failed, newest failure first. */
export function failedRows(rows) {
  return rows.filter((row) => row.item.lastFailure).sort((a, b) => Date.parse(b.item.lastFailure.at) - Date.parse(a.item.lastFailure.at));
}
