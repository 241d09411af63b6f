import { describe, expect, it } from 'vitest';
import { parseGenerator } from '../../../../src/rotation/generators.js';
import { dueAt, expiryFor, readPolicy } from '../../../../src/rotation/policy.js';

describe('rotation generators', () => {
  it.each([
    ['random:length=32', /^[A-Za-z0-9]{32}$/],
    ['random:length=12,charset=numeric', /^[0-9]{12}$/],
    ['random:length=40,charset=hex', /^[0-9a-f]{40}$/],
    ['random:length=20,charset=urlsafe', /^[A-Za-z0-9_-]{20}$/],
    ['random:length=16,charset=printable', /^[!-~]{16}$/],
    ['bytes:length=32,encoding=base64', /^[A-Za-z0-9+/]{43}=$/],
    ['bytes:length=16,encoding=hex', /^[0-9a-f]{32}$/],
    ['bytes:length=16,encoding=base64url', /^[A-Za-z0-9_-]{22}$/],
  ])('%s', (spec, shape) => {
    const generator = parseGenerator(spec);
    const values = new Set(Array.from({ length: 20 }, () => generator.generate()));
    expect(values.size).toBe(20);
    for (const value of values) {
      expect(value).toMatch(shape);
      expect(generator.accepts(value)).toBe(true);
    }
    expect(generator.accepts('x')).toBe(false);
  });

  it.each([
    ['random', /length/],
    ['random:length=0', /length/],
    ['random:length=5000', /length/],
    ['random:length=8,charset=emoji', /charset/],
    ['random:length=8,colour=red', /colour/],
    ['bytes:length=8,encoding=rot13', /encoding/],
    ['uuid:length=8', /not a generator/],
    ['random:length', /key=value/],
  ])('rejects %s', (spec, why) => {
    expect(() => parseGenerator(spec)).toThrow(why);
  });
});

describe('rotation policy from tags', () => {
  const created = new Date('2026-01-01T00:00:00Z');

  it('has no policy without a schedule tag', () => {
    expect(readPolicy({ env: 'prod' })).toEqual({ kind: 'none' });
    expect(readPolicy(undefined)).toEqual({ kind: 'none' });
  });

  it('rotation-interval: due that long after the last rotation, or after creation', () => {
    const reading = readPolicy({ 'rotation-interval': 'P30D' });
    if (reading.kind !== 'policy') throw new Error('expected a policy');
    expect(dueAt(reading.policy, { createdOn: created })).toEqual(new Date('2026-01-31T00:00:00Z'));
    expect(dueAt(reading.policy, { createdOn: created, tags: { 'rotated-at': '2026-03-01T12:00:00Z' } })).toEqual(new Date('2026-03-31T12:00:00Z'));
  });

  it('rotate-before-expiry: due that long before expiry; never without an expiry', () => {
    const reading = readPolicy({ 'rotate-before-expiry': 'PT12H', validity: 'P1M' });
    if (reading.kind !== 'policy') throw new Error('expected a policy');
    expect(dueAt(reading.policy, { expiresOn: new Date('2026-05-10T00:00:00Z') })).toEqual(new Date('2026-05-09T12:00:00Z'));
    expect(dueAt(reading.policy, {})).toBeUndefined();
    expect(expiryFor(reading.policy, new Date('2026-01-31T00:00:00Z'))).toEqual(new Date('2026-02-28T00:00:00Z'));
  });

  it.each([
    [{ 'rotation-interval': 'thirty days' }, 'rotation-interval'],
    [{ 'rotation-interval': 'PT0S' }, 'rotation-interval'],
    [{ 'rotation-interval': 'P1D', 'rotate-before-expiry': 'P1D' }, 'rotation-interval'],
    [{ 'rotation-interval': 'P1D', 'rotation-generator': 'random:length=-1' }, 'rotation-generator'],
    [{ 'rotate-before-expiry': 'P1D', validity: 'forever' }, 'validity'],
  ])('reports invalid tags by name: %o', (tags, tag) => {
    const reading = readPolicy(tags);
    expect(reading).toMatchObject({ kind: 'invalid', tag });
  });

  it('rotate-now needs no schedule and uses the default generator', () => {
    const reading = readPolicy({}, 'optional');
    expect(reading.kind === 'policy' && reading.policy.generator.spec).toBe('random:length=32');
  });
});
