import { describe, expect, it } from 'vitest';
import { backoffMs, renewalDueAt } from '../../../../src/rotation/renewal.js';

const HOUR = 3_600_000;

describe('certificate renewal window', () => {
  const notBefore = new Date('2026-01-01T00:00:00Z');
  const expiresOn = new Date('2026-12-31T00:00:00Z');

  it('defaults to the last third of the validity', () => {
    const third = (expiresOn.getTime() - notBefore.getTime()) / 3;
    expect(renewalDueAt({ notBefore, expiresOn })).toEqual(new Date(expiresOn.getTime() - third));
  });

  it('uses the renew-before tag when present', () => {
    expect(renewalDueAt({ notBefore, expiresOn, tags: { 'renew-before': 'P30D' } })).toEqual(new Date('2026-12-01T00:00:00Z'));
  });

  it('names an invalid renew-before tag', () => {
    expect(() => renewalDueAt({ notBefore, expiresOn, tags: { 'renew-before': 'a month' } })).toThrow(/renew-before/);
  });

  it('has no window without an expiry', () => {
    expect(renewalDueAt({ notBefore })).toBeUndefined();
  });
});

describe('renewal back-off', () => {
  it('waits 1 h · 2^(n−1) after n failures, at most a day', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(backoffMs)).toEqual([1, 2, 4, 8, 16, 24, 24].map((h) => h * HOUR));
  });
});
