import type { HttpRequest } from '@azure/functions';
import { problems } from './problems.js';

/** ETags are the object's current version, quoted as HTTP requires. */
export const etagOf = (version: string) => `"${version}"`;

function parseEtags(header: string): string[] {
  return header.split(',').map((tag) =>
    tag
      .trim()
      .replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1'),
  );
}

export interface Preconditions {
  ifMatch?: string[];
  ifNoneMatchAny: boolean;
}

export function preconditionsOf(request: HttpRequest): Preconditions {
  const ifMatch = request.headers.get('if-match');
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch && ifNoneMatch.trim() !== '*') {
    throw problems.invalidHeader('If-None-Match', "If-None-Match supports only '*' (create only).");
  }
  return { ifMatch: ifMatch ? parseEtags(ifMatch) : undefined, ifNoneMatchAny: ifNoneMatch?.trim() === '*' };
}

export const hasPreconditions = (p: Preconditions) => p.ifMatch !== undefined || p.ifNoneMatchAny;

/**
 * Checks If-Match / If-None-Match against the current version (undefined: the object does not
 * exist). Key Vault has no conditional writes, so a change between this check and the write can
 * still slip through; the window is one round trip.
 */
export function checkPreconditions(p: Preconditions, currentVersion: string | undefined): void {
  if (p.ifNoneMatchAny && currentVersion !== undefined) {
    throw problems.preconditionFailed('The object already exists (If-None-Match: *).', 'If-None-Match');
  }
  if (p.ifMatch && !p.ifMatch.some((tag) => (tag === '*' ? currentVersion !== undefined : tag === currentVersion))) {
    throw problems.preconditionFailed(
      currentVersion === undefined ? 'The object does not exist (If-Match).' : `The current version is ${etagOf(currentVersion)}, not the one in If-Match.`,
      'If-Match',
    );
  }
}
