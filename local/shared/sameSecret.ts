// Comparing a presented credential (admin token, identity header, function key) with the real
// one without leaking, through timing, how much of it matched or how long it is: both sides are
// hashed to equal-length digests, then compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}
