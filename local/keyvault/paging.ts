// List paging: `maxresults` 1–25 (default 25), an opaque `$skiptoken`, and an
// absolute, self-contained `nextLink` carrying api-version, maxresults and any filters.
import type { RequestContext } from './context.js';
import { errors } from './errors.js';
import { MAX_RESULTS_DEFAULT, MAX_RESULTS_MAX, MAX_RESULTS_MIN } from './limits.js';

export interface PageRequest {
  limit: number;
  /** Continuation: lower-cased name of the last item of the previous page. */
  after?: string;
}

export function readPageRequest(ctx: Pick<RequestContext, 'query'>): PageRequest {
  const raw = ctx.query['maxresults'];
  let limit = MAX_RESULTS_DEFAULT;
  if (raw !== undefined && raw !== '') {
    if (!/^\d+$/.test(raw) || Number(raw) < MAX_RESULTS_MIN || Number(raw) > MAX_RESULTS_MAX) {
      throw errors.badParameter(`Invalid value for maxresults: ${raw}. It must be between ${MAX_RESULTS_MIN} and ${MAX_RESULTS_MAX}.`);
    }
    limit = Number(raw);
  }
  const token = ctx.query['$skiptoken'];
  if (token === undefined || token === '') return { limit };
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (typeof decoded === 'object' && decoded !== null && typeof (decoded as { after?: unknown }).after === 'string') {
      return { limit, after: (decoded as { after: string }).after };
    }
  } catch {
    // fall through
  }
  throw errors.badParameter('The $skiptoken is invalid.');
}

/** Absolute next link for `path`, or null when there is no continuation. */
export function nextLink(
  ctx: Pick<RequestContext, 'vaultUrl' | 'apiVersion'>,
  path: string,
  page: PageRequest,
  continuation: string | undefined,
  extraQuery: Record<string, string> = {},
): string | null {
  if (continuation === undefined) return null;
  const url = new URL(path, `${ctx.vaultUrl}/`);
  url.searchParams.set('api-version', ctx.apiVersion);
  url.searchParams.set('$skiptoken', Buffer.from(JSON.stringify({ after: continuation })).toString('base64url'));
  url.searchParams.set('maxresults', String(page.limit));
  for (const [key, value] of Object.entries(extraQuery)) url.searchParams.set(key, value);
  return url.toString();
}

/** One page of an object's versions (oldest first); the continuation is the count already returned. */
export function versionsPage<V>(
  ctx: Pick<RequestContext, 'vaultUrl' | 'apiVersion'>,
  path: string,
  page: PageRequest,
  versions: readonly V[],
  toItem: (version: V) => object,
): { value: object[]; nextLink: string | null } {
  const start = page.after !== undefined && /^\d+$/.test(page.after) ? Number(page.after) : 0;
  const slice = versions.slice(start, start + page.limit);
  const end = start + slice.length;
  return { value: slice.map(toItem), nextLink: nextLink(ctx, path, page, end < versions.length ? String(end) : undefined) };
}
