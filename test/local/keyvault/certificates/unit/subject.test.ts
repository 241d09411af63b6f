import { describe, expect, it } from 'vitest';
import { parseSubject, subjectToName } from '../../../../../local/keyvault/crypto/subject.js';

describe('parseSubject', () => {
  it.each([
    ['CN=a, O=b', 'CN=a, O=b'],
    ['cn=MyCert', 'CN=MyCert'],
    ['cn=a;o=Contoso Ltd;c=us', 'CN=a, O=Contoso Ltd, C=us'],
    ['CN="Doe, John", OU=Sales', 'CN=Doe\\, John, OU=Sales'],
    ['CN=Doe\\, Jane', 'CN=Doe\\, Jane'],
    ['E=admin@example.com, CN=x', 'E=admin@example.com, CN=x'],
    ['emailAddress=a@b.c, S=WA, street=1 Main', 'E=a@b.c, ST=WA, 2.5.4.9=1 Main'],
    ['2.5.4.3=by-oid', 'CN=by-oid'],
    ['CN=a+OU=b, O=c', 'CN=a+OU=b, O=c'],
  ])('%s', (subject, expected) => {
    expect(subjectToName(subject).toString()).toBe(expected);
  });

  it('keeps the order and groups multi-valued RDNs', () => {
    expect(parseSubject('CN=a+OU=b, O=c')).toEqual([
      [
        { oid: '2.5.4.3', value: 'a' },
        { oid: '2.5.4.11', value: 'b' },
      ],
      [{ oid: '2.5.4.10', value: 'c' }],
    ]);
  });

  it('an empty subject gives an empty name', () => {
    expect(subjectToName('').toString()).toBe('');
    expect(subjectToName(undefined).toString()).toBe('');
  });

  it.each(['CN', 'CN=', '=x', 'FOO=bar', 'CN=a, C=USA'])('%j is refused', (subject) => {
    expect(() => parseSubject(subject)).toThrow(/not a valid X\.500 name/);
  });
});
