import { AsyncLocalStorage } from 'node:async_hooks';
import type { HttpRequest } from '@azure/functions';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { z } from 'zod';
import { ApiError } from './httpErrors.js';

export const pageQuerySchema = z.object({
  maxPageSize: z.coerce.number().int().min(1).max(25).optional().meta({ description: 'Items per page, 1-25 (default 25).' }),
  continuationToken: z.string().min(1).max(4096).optional().meta({ description: 'Opaque token from a previous page\'s nextLink.' }),
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

export interface VaultPage<T> {
  items: T[];
  /** The vault's own link to the next page, when there is one. */
  vaultNextLink?: string;
}

/** Reads exactly one page from an SDK `byPage()` iterator, with the vault's nextLink. */
export async function readOnePage<T>(pages: () => AsyncIterableIterator<T[]>): Promise<VaultPage<T>> {
  const holder: { nextLink?: string } = {};
  const first = await pageCapture.run(holder, async () => pages().next());
  return { items: first.done ? [] : first.value, vaultNextLink: holder.nextLink };
}

interface ContinuationState {
  /** Which listing the token belongs to, e.g. `secrets` or `secret-versions:name`. */
  l: string;
  /** The vault's nextLink. */
  n: string;
}

/** An opaque token for the API's callers: the listing it belongs to plus the vault's nextLink. */
export function encodeContinuation(listing: string, vaultNextLink: string): string {
  return Buffer.from(JSON.stringify({ l: listing, n: vaultNextLink } satisfies ContinuationState)).toString('base64url');
}

/**
 * Decodes a caller's token. The vault link inside must point at the configured vault: the SDK
 * sends its bearer token to whatever URL it follows, so a forged link must never leave the vault.
 */
export function decodeContinuation(token: string, listing: string, vaultUrl: string, pathPrefix: string): string {
  const invalid = new ApiError(400, 'InvalidContinuationToken', 'continuationToken is not a token this listing returned.', 'continuationToken');
  let state: ContinuationState;
  try {
    state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinuationState;
  } catch {
    throw invalid;
  }
  if (state?.l !== listing || typeof state.n !== 'string') throw invalid;
  let link: URL;
  try {
    link = new URL(state.n);
  } catch {
    throw invalid;
  }
  const vault = new URL(vaultUrl);
  if (link.protocol !== 'https:' || link.hostname !== vault.hostname || (link.port || '443') !== (vault.port || '443') || !link.pathname.startsWith(pathPrefix)) {
    throw invalid;
  }
  return state.n;
}

/** This API's nextLink: the same URL with the caller's page size and the new token. */
export function apiNextLink(request: HttpRequest, query: PageQuery, token: string | undefined): string | null {
  if (!token) return null;
  const url = new URL(request.url);
  url.search = '';
  if (query.maxPageSize) url.searchParams.set('maxPageSize', String(query.maxPageSize));
  url.searchParams.set('continuationToken', token);
  return url.toString();
}
