import { describe, expect, it } from 'vitest';
import { RouteTemplate } from '../../../../local/host/http/routeTemplate.js';
import { HttpRouter } from '../../../../local/host/http/router.js';
import type { FunctionInfo } from '../../../../local/host/contracts.js';

const match = (template: string, path: string) => new RouteTemplate(template).match(path === '' ? [] : path.split('/'));

describe('RouteTemplate', () => {
  it.each([
    ['items/{id:int}', 'items/2147483647', { id: '2147483647' }],
    ['items/{id:int}', 'items/2147483648', undefined],
    ['items/{id:int}', 'items/-2147483648', { id: '-2147483648' }],
    ['items/{id:long}', 'items/-9223372036854775808', { id: '-9223372036854775808' }],
    ['items/{id:long}', 'items/9223372036854775808', undefined],
    ['x/{b:bool}', 'x/False', { b: 'False' }],
    ['x/{b:bool}', 'x/1', undefined],
    ['x/{g:guid}', 'x/0f8fad5bd9cb469fa16570867728950e', { g: '0f8fad5bd9cb469fa16570867728950e' }],
    ['x/{g:guid}', 'x/(0f8fad5b-d9cb-469f-a165-70867728950e)', { g: '(0f8fad5b-d9cb-469f-a165-70867728950e)' }],
    ['x/{g:guid}', 'x/0f8fad5b-d9cb-469f-a165-70867728950', undefined],
    ['x/{a:alpha}', 'x/abcXYZ', { a: 'abcXYZ' }],
    ['x/{a:alpha}', 'x/abc1', undefined],
    ['x/{d:double}', 'x/1.5e3', { d: '1.5e3' }],
    ['x/{d:decimal}', 'x/1.5e3', undefined],
    ['x/{d:datetime}', 'x/2024-01-02', { d: '2024-01-02' }],
    ['x/{n:min(3)}', 'x/3', { n: '3' }],
    ['x/{n:min(3)}', 'x/2', undefined],
    ['x/{n:max(3)}', 'x/abc', undefined],
    ['x/{n:range(-1,1)}', 'x/-1', { n: '-1' }],
    ['x/{s:length(2,3)}', 'x/abcd', undefined],
    ['x/{s:length(2,3)}', 'x/ab', { s: 'ab' }],
    ['x/{s:regex(^\\d{{3}}$)}', 'x/123', { s: '123' }],
    ['x/{s:regex(^\\d{{3}}$)}', 'x/1234', undefined],
    ['x/{s:regex(b)}', 'x/ABC', { s: 'ABC' }], // unanchored and case-insensitive, as in ASP.NET
    ['x/{s:regex(^(a|b):c$)}', 'x/a:c', { s: 'a:c' }],
    ['x/{id:int:min(1)}', 'x/0', undefined],
    ['x/{id?}', 'x', {}],
    ['x/{id=7}', 'x', { id: '7' }],
    ['x/{id:int=7}', 'x/8', { id: '8' }],
    ['x/{*rest}', 'x', {}],
    ['x/{*rest}', 'x/a/b', { rest: 'a/b' }],
    ['x/{**rest}', 'x/a%2Fb/c', { rest: 'a/b/c' }],
    ['file/{name}.{ext}', 'file/report.final.pdf', { name: 'report', ext: 'final.pdf' }],
    ['Literal/Path', 'literal/path', {}],
    ['x/{id}', 'x/%E2%82%AC', { id: '€' }],
    ['x/{id}', 'x/a/b', undefined],
    ['x/{id}', 'x', undefined],
    ['', '', {}],
  ])('%s matches %s → %j', (template, path, expected) => {
    expect(match(template, path)).toEqual(expected);
  });

  it.each([
    ['x/{*rest}/y', 'catch-all'],
    ['x/a{id?}', 'optional'],
    ['x/{a}{b}', 'separated by a literal'],
    ['x/{id', "unbalanced '{'"],
    ['x/{a}/{A}', 'used twice'],
    ['x/{n:min(a)}', 'integer argument'],
    ['x/{n:bogus}', "constraint reference 'bogus'"],
  ])('rejects %s', (template, message) => {
    expect(() => new RouteTemplate(template)).toThrow(message);
  });
});

describe('HttpRouter', () => {
  const fn = (name: string, route: string | undefined, methods?: string[]): FunctionInfo => ({
    name,
    triggerKey: 't',
    trigger: { type: 'httpTrigger', direction: 'in', ...(route !== undefined ? { route } : {}), ...(methods ? { methods } : {}) },
    bindings: {},
  });

  it('sorts by name case-insensitively and returns the first template and method match', () => {
    const router = new HttpRouter([fn('Zed', 'items/recent', ['GET', 'PUT']), fn('alpha', 'items/{id}', ['POST']), fn('beta', 'items/{id}', ['GET'])], 'api');
    expect(router.match('GET', '/api/items/recent')?.route.fn.name).toBe('beta');
    expect(router.match('post', '/api/items/recent')?.route.fn.name).toBe('alpha');
    expect(router.match('PUT', '/api/items/recent')?.route.fn.name).toBe('Zed');
    expect(router.match('DELETE', '/api/items/recent')).toBeUndefined();
  });

  it('treats missing methods as every method and uses the function name as the route', () => {
    const router = new HttpRouter([fn('any', undefined)], '');
    expect(router.match('PATCH', '/any')?.params).toEqual({});
    expect(router.match('GET', '/api/any')).toBeUndefined();
  });

  it('refuses a conflict only when methods overlap', () => {
    expect(() => new HttpRouter([fn('a', 'x', ['GET']), fn('b', 'X', ['POST'])], 'api')).not.toThrow();
    expect(() => new HttpRouter([fn('a', 'x'), fn('b', 'X', ['POST'])], 'api')).toThrow("conflicts with the route defined by function 'a'");
  });
});
