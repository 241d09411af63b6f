import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toSetCookie } from '../../../../local/host/http/responseMapping.js';
import { isAuthorized, keyAccess, loadOrCreateKeys, presentedKey } from '../../../../local/host/keys.js';

describe('keys', () => {
  it('creates random keys once, stores them with owner-only permissions and reloads them', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'keys-')), 'nested');
    const keys = loadOrCreateKeys(dir);
    expect(keys.masterKey).not.toBe(keys.functionKeys['default']);
    expect(loadOrCreateKeys(dir)).toEqual(keys);
    expect(JSON.parse(readFileSync(path.join(dir, 'keys.json'), 'utf8')).masterKey).toBe(keys.masterKey);
    expect(statSync(path.join(dir, 'keys.json')).mode & 0o077).toBe(0);
    expect(loadOrCreateKeys(mkdtempSync(path.join(tmpdir(), 'keys-'))).masterKey).not.toBe(keys.masterKey);
  });

  it('classifies keys and applies authLevel semantics', () => {
    const keys = { masterKey: 'master', functionKeys: { default: 'fn' }, perFunction: { own: { default: 'mine' } } };
    expect(keyAccess(keys, 'master', 'x')).toBe('admin');
    expect(keyAccess(keys, 'fn', 'x')).toBe('function');
    expect(keyAccess(keys, 'mine', 'own')).toBe('function');
    expect(keyAccess(keys, 'mine', 'other')).toBe('none');
    expect(keyAccess(keys, undefined, 'x')).toBe('none');
    expect(isAuthorized('anonymous', 'none')).toBe(true);
    expect(isAuthorized('function', 'none')).toBe(false);
    expect(isAuthorized('Function', 'admin')).toBe(true);
    expect(isAuthorized('admin', 'function')).toBe(false);
    expect(presentedKey('wrong', 'right')).toBe('wrong');
    expect(presentedKey(undefined, 'right')).toBe('right');
  });
});

describe('Set-Cookie', () => {
  it("writes no SameSite for 'none' and SameSite=None for 'explicitNone'", () => {
    expect(toSetCookie({ name: 'a', value: 'b', sameSite: 'none' })).toBe('a=b');
    expect(toSetCookie({ name: 'a', value: 'b', sameSite: 'explicitNone' })).toBe('a=b; SameSite=None');
    expect(toSetCookie({ name: 'a', value: 'b', expires: { value: { seconds: 0 } }, maxAge: { value: 0 } })).toBe('a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0');
  });
});
