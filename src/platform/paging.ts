import { AsyncLocalStorage } from 'node:async_hooks';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import * as z from 'zod';
import { problems } from './problems.js';

export const pageQuerySchema = z.object({
  maxPageSize: z.coerce.number().int().min(1).max(25).optional().meta({ description: 'Items per page, 1-25 (default 25).' }),
  continuationToken: z.string().min(1).max(4096).optional().meta({ description: "Opaque token from a previous page's nextLink." }),
});

export type PageQuery = z.infer<typeof pageQuerySchema>;

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    value: z.array(item),
    nextLink: z.string().nullable().meta({ description: 'URL of the next page; null on the last one.' }),
  });

// The Key Vault clients re-map the pages of byPage() and drop their continuation token, and they
// fetch later pages without per-call options. So the vault's nextLink is read off the wire by a
// pipeline policy, for the one page request running in the current async context.
const pageCapture = new AsyncLocalStorage<{ nextLink?: string }>();

export const nextLinkCapturePolicy: PipelinePolicy = {
  name: 'nextLinkCapture',
  async sendRequest(request, next) {
    const response = await next(request);
    const holder = pageCapture.getStore();
    if (holder && response.status === 200 && response.bodyAsText) {
      try {
        const body = JSON.parse(response.bodyAsText) as { value?: unknown; nextLink?: unknown };
        if (Array.isArray(body.value)) holder.nextLink = typeof body.nextLink === 'string' && body.nextLink ? body.nextLink : undefined;
      } catch {
        // not a list page
      }
    }
    return response;
  },
};

interface VaultPage<T> {
  items: T[];
  /** The vault's own link to the next page, when there is one. */
  vaultNextLink?: string;
}

/** Reads exactly one page from an SDK `byPage()` iterator, with the vault's nextLink. */
async function readOnePage<T>(pages: () => AsyncIterableIterator<T[]>): Promise<VaultPage<T>> {
  const holder: { nextLink?: string } = {};
  const first = await pageCapture.run(holder, async () => pages().next());
  return { items: first.done ? [] : first.value, vaultNextLink: holder.nextLink };
}

interface ContinuationState {
  /** Which listing the token belongs to, e.g. `secrets` or `secret-versions:name`. */
  l: string;
  /** The vault's link to the page to read ('' = the first page). */
  n: string;
  /** Items of that vault page already returned (clients that ignore maxresults send 25). */
  o?: number;
}

export interface ApiPage<T> {
  items: T[];
  continuationToken?: string;
}

export interface PageRequest {
  /** Identifies the listing; a token from another listing is refused. */
  listing: string;
  /** The vault path the listing's nextLinks must start with. */
  pathPrefix: string;
  vaultUrl: string;
  pageSize?: number;
  continuationToken?: string;
}

/**
 * Reads one page of a vault listing for the API. The caller's opaque token holds the vault's
 * nextLink plus an offset into that vault page, so page sizes hold even where the SDK ignores
 * maxPageSize. Only one vault page is read per call.
 */
export async function readApiPage<T, TOut = T>(
  request: PageRequest,
  pages: (vaultLink: string | undefined, pageSize: number | undefined) => AsyncIterableIterator<T[]>,
  map: (item: T) => TOut = (item) => item as unknown as TOut,
): Promise<ApiPage<TOut>> {
  const state = request.continuationToken ? decodeContinuation(request.continuationToken, request) : { l: request.listing, n: '', o: 0 };
  const page = await readOnePage(() => pages(state.n || undefined, request.pageSize));
  const offset = state.o ?? 0;
  const size = request.pageSize ?? 25;
  const items = page.items.slice(offset, offset + size).map(map);
  let next: ContinuationState | undefined;
  if (offset + size < page.items.length) next = { l: request.listing, n: state.n, o: offset + size };
  else if (page.vaultNextLink) next = { l: request.listing, n: page.vaultNextLink, o: 0 };
  return { items, continuationToken: next ? Buffer.from(JSON.stringify(next)).toString('base64url') : undefined };
}

/**
 * Decodes a caller's token. The vault link inside must point at the configured vault: the SDK
 * sends its bearer token to whatever URL it follows, so a forged link must never leave the vault.
 */
function decodeContinuation(token: string, request: PageRequest): ContinuationState {
  const invalid = problems.invalidContinuationToken();
  let state: ContinuationState;
  try {
    state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinuationState;
  } catch {
    throw invalid;
  }
  if (state?.l !== request.listing || typeof state.n !== 'string' || (state.o !== undefined && (!Number.isInteger(state.o) || state.o < 0 || state.o > 1000))) {
    throw invalid;
  }
  if (state.n === '') return state;
  let link: URL;
  try {
    link = new URL(state.n);
  } catch {
    throw invalid;
  }
  const vault = new URL(request.vaultUrl);
  // Key Vault's list links are exactly the list's path (e.g. /secrets, /secrets/{name}/versions).
  const path = link.pathname.replace(/\/$/, '').toLowerCase();
  if (link.protocol !== 'https:' || link.hostname !== vault.hostname || (link.port || '443') !== (vault.port || '443') || path !== request.pathPrefix.toLowerCase()) {
    throw invalid;
  }
  return state;
}

/**
 * A 200 answer with one page of a listing, in the API's `{ value, nextLink }` shape; `requestUrl`
 * is the request's URL on the public base (an endpoint's `requestUrl`).
 */
export function pageResponse<T>(requestUrl: string, query: PageQuery & Record<string, unknown>, page: ApiPage<T>) {
  return {
    status: 200,
    body: { value: page.items, nextLink: apiNextLink(requestUrl, query, page.continuationToken) },
    headers: { 'cache-control': 'no-store' },
  };
}

/** This API's nextLink: the same URL with the caller's query (page size, filters) and the new token. */
export function apiNextLink(requestUrl: string, query: PageQuery & Record<string, unknown>, token: string | undefined): string | null {
  if (!token) return null;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key !== 'continuationToken' && value !== undefined) search.set(key, String(value));
  }
  search.set('continuationToken', token);
  return `${requestUrl.split('?')[0]}?${search.toString()}`;
}
