// HTTP behaviour of the local host against the CommonJS fixture app: routing, constraints,
// keys, request/response mapping, CORS, limits, admin endpoints, settings and logging.
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CJS_APP, startTestHost, waitFor, type TestHost } from './hostHarness.js';

let host: TestHost;
let api: string;

beforeAll(async () => {
  process.env['OVERRIDDEN_BY_ENV'] = 'env';
  process.env['EMPTY_IN_ENV'] = '';
  host = await startTestHost({
    appDir: CJS_APP,
    env: {
      AzureWebJobsStorage: inject('storage').connectionString,
      OVERRIDDEN_BY_OPTION: 'option',
      FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '4096',
    },
  });
  api = `${host.baseUrl}/api`;
});

afterAll(async () => {
  await host?.stop();
});

type Json = any;

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function rawRequest(
  url: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('routing', () => {
  it.each([
    ['items/42', 'routeInt', { id: '42' }],
    ['items/-7', 'routeInt', { id: '-7' }],
    ['items/abc', 'routeAlpha', { name: 'abc' }],
    ['guid/0f8fad5b-d9cb-469f-a165-70867728950e', 'routeGuid', { id: '0f8fad5b-d9cb-469f-a165-70867728950e' }],
    ['guid/{0f8fad5b-d9cb-469f-a165-70867728950e}', 'routeGuid', { id: '{0f8fad5b-d9cb-469f-a165-70867728950e}' }],
    ['flags/TRUE', 'routeBool', { on: 'TRUE' }],
    ['big/9223372036854775807', 'routeLong', { n: '9223372036854775807' }],
    ['range/10', 'routeRange', { n: '10' }],
    ['minmax/6', 'routeMinMax', { n: '6' }],
    ['len/abcd', 'routeLength', { s: 'abcd' }],
    ['exact/abc', 'routeLengthExact', { s: 'abc' }],
    ['codes/AB12', 'routeRegex', { code: 'AB12' }],
    ['req/x', 'routeRequired', { x: 'x' }],
    ['opt', 'routeOptional', {}],
    ['opt/given', 'routeOptional', { x: 'given' }],
    ['def', 'routeDefault', { x: 'dflt' }],
    ['def/other', 'routeDefault', { x: 'other' }],
    ['files', 'routeCatchAll', {}],
    ['files/a/b/c.txt', 'routeCatchAll', { path: 'a/b/c.txt' }],
    ['blobs/x/y', 'routeCatchAll2', { path: 'x/y' }],
    ['orders/o-1/lines/3', 'routeMulti', { orderId: 'o-1', line: '3' }],
    ['ITEMS/5', 'routeInt', { id: '5' }],
    ['items/5/', 'routeInt', { id: '5' }],
    ['files/with%20space', 'routeCatchAll', { path: 'with space' }],
  ])('GET /api/%s → %s', async (route, fn, params) => {
    const { status, body } = await getJson(`${api}/${route}`);
    expect(status).toBe(200);
    expect(body).toEqual({ fn, params });
  });

  it.each([
    'items/2147483648', // beyond int, not alpha
    'items/a1',
    'guid/not-a-guid',
    'flags/yes',
    'big/9223372036854775808',
    'range/11',
    'range/0',
    'minmax/8',
    'minmax/4',
    'len/a',
    'len/abcde',
    'exact/ab',
    'codes/1ab',
    'req',
    'opt/a/b',
    'orders/o-1/lines/x',
    'nothing-here',
  ])('GET /api/%s → 404 with an empty body', async (route) => {
    const res = await fetch(`${api}/${route}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
  });

  it('orders routes by function name and takes the first match (no ASP.NET precedence)', async () => {
    expect((await getJson(`${api}/order/recent`)).body).toEqual({ fn: 'aaaShadow', params: { id: 'recent' } });
  });

  it('filters by method: a wrong method is 404, never 405', async () => {
    expect((await fetch(`${api}/verbs`)).status).toBe(404);
    expect((await getJson(`${api}/verbs`, { method: 'PUT' })).body).toEqual({ fn: 'putOnly', method: 'PUT' });
    expect((await fetch(`${api}/hello`, { method: 'DELETE' })).status).toBe(404);
    // HEAD is not implied by GET.
    expect((await fetch(`${api}/items/1`, { method: 'HEAD' })).status).toBe(404);
  });

  it('uses the function name as the default route, under the default routePrefix "api"', async () => {
    expect(await (await fetch(`${api}/hello?name=Ann`)).text()).toBe('Hello, Ann (cjs)');
    expect((await fetch(`${host.baseUrl}/hello`)).status).toBe(404);
  });

  it('serves a landing page at GET /', async () => {
    const res = await fetch(`${host.baseUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('up and running');
  });

  it('reports the HTTP functions with their routes and methods', () => {
    expect(host.functions).toContainEqual({ name: 'routeInt', trigger: 'httpTrigger', route: 'api/items/{id:int}', methods: ['GET'] });
    expect(host.functions).toContainEqual({ name: 'putOnly', trigger: 'httpTrigger', route: 'api/verbs', methods: ['PUT'] });
  });
});

describe('keys and authLevel', () => {
  it('rejects a function-level route without a key with 401 and an empty body', async () => {
    const res = await fetch(`${api}/keyed`);
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('');
  });

  it('accepts the function key in x-functions-key or ?code=', async () => {
    expect((await fetch(`${api}/keyed`, { headers: { 'x-functions-key': host.functionKey } })).status).toBe(200);
    expect((await fetch(`${api}/keyed?code=${encodeURIComponent(host.functionKey)}`)).status).toBe(200);
    expect((await fetch(`${api}/keyed`, { headers: { 'x-functions-key': host.masterKey } })).status).toBe(200);
  });

  it('lets a wrong header win over a right code', async () => {
    const res = await fetch(`${api}/keyed?code=${encodeURIComponent(host.functionKey)}`, { headers: { 'x-functions-key': 'wrong' } });
    expect(res.status).toBe(401);
  });

  it('requires the master key for admin-level functions', async () => {
    expect((await fetch(`${api}/masterOnly`, { headers: { 'x-functions-key': host.functionKey } })).status).toBe(401);
    expect((await fetch(`${api}/masterOnly`, { headers: { 'x-functions-key': host.masterKey } })).status).toBe(200);
  });

  it('lets anonymous functions through even with a wrong key', async () => {
    expect((await fetch(`${api}/hello`, { headers: { 'x-functions-key': 'wrong' } })).status).toBe(200);
  });

  it('hides a disabled function (AzureWebJobs.<name>.Disabled) except from the master key', async () => {
    expect((await fetch(`${api}/disabledFn`)).status).toBe(404);
    const res = await fetch(`${api}/disabledFn`, { headers: { 'x-functions-key': host.masterKey } });
    expect(await res.text()).toBe('disabled function ran');
  });
});

describe('admin endpoints', () => {
  it('answers /admin/host/ping anonymously and /admin/host/status with the master key only', async () => {
    expect((await fetch(`${host.baseUrl}/admin/host/ping`)).status).toBe(200);
    expect((await fetch(`${host.baseUrl}/admin/host/status`)).status).toBe(401);
    const status = await getJson(`${host.baseUrl}/admin/host/status`, { headers: { 'x-functions-key': host.masterKey } });
    expect(status.status).toBe(200);
    expect(status.body.state).toBe('Running');
  });

  it('protects POST /admin/functions/{name} with the master key and 404s unknown names and routes', async () => {
    const post = (name: string, key?: string) =>
      fetch(`${host.baseUrl}/admin/functions/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'x-functions-key': key } : {}) },
        body: JSON.stringify({ input: 'x' }),
      });
    expect((await post('nope')).status).toBe(401);
    expect((await post('nope', host.functionKey)).status).toBe(401);
    expect((await post('nope', host.masterKey)).status).toBe(404);
    const accepted = await post('hello', host.masterKey);
    expect(accepted.status).toBe(202);
    await waitFor(() => host.lines.find((l) => l.includes("Admin invocation failed: 'hello' has an HTTP trigger")), 'admin HTTP error');
    expect((await fetch(`${host.baseUrl}/admin/other`, { headers: { 'x-functions-key': host.masterKey } })).status).toBe(404);
  });
});

describe('request and response mapping', () => {
  it('passes method, absolute URL, comma-joined headers and query values, and params', async () => {
    const res = await rawRequest(`${api}/echo/thing?x=1&x=2&y=%C3%A9&empty=`, {
      headers: { 'x-multi': ['a', 'b'], 'X-Case': 'Value' },
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body.toString());
    expect(body.method).toBe('GET');
    expect(body.url).toBe(`${api}/echo/thing?x=1&x=2&y=%C3%A9&empty=`);
    expect(body.headers['x-multi']).toBe('a,b');
    expect(body.headers['x-case']).toBe('Value');
    expect(body.query).toEqual({ x: '1,2', y: 'é', empty: '' });
    expect(body.queryAll).toEqual(['1,2']);
    expect(body.params).toEqual({ kind: 'thing' });
  });

  it('round-trips a binary body byte for byte', async () => {
    const payload = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7) % 256));
    const res = await rawRequest(`${api}/binary`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(payload.length) },
      body: payload,
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['x-length']).toBe('2048');
    expect(res.body.equals(Buffer.from(payload).reverse())).toBe(true);
  });

  it('maps status, headers and every cookie attribute to Set-Cookie', async () => {
    const res = await rawRequest(`${api}/cookies`, {});
    expect(res.status).toBe(201);
    expect(res.headers['x-custom']).toBe('yes');
    expect(res.headers['content-type']).toBe('text/plain;charset=UTF-8');
    expect(res.body.toString()).toBe('cookies set');
    expect(res.headers['set-cookie']).toEqual([
      'session=abc; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Strict',
      'theme=dark; Domain=example.com; Expires=Wed, 02 Jan 2030 03:04:05 GMT; SameSite=Lax',
      'cross=1; SameSite=None',
    ]);
  });

  it('answers 200 with an empty body when the handler returns nothing, 500 when it throws', async () => {
    const empty = await fetch(`${api}/noContent`);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('');
    const failed = await fetch(`${api}/fails`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('');
    expect(host.lines.some((l) => l.includes("Executed 'Functions.fails' (Failed, Id="))).toBe(true);
    expect(host.lines.some((l) => l.includes('handler failed on purpose'))).toBe(true);
  });

  it('answers 413 when the body is over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', async () => {
    const res = await rawRequest(`${api}/binary`, { method: 'POST', body: Buffer.alloc(5000) });
    expect(res.status).toBe(413);
    const ok = await rawRequest(`${api}/binary`, { method: 'POST', body: Buffer.alloc(4000) });
    expect(ok.status).toBe(200);
  });
});

describe('CORS (Host.CORS)', () => {
  it('answers a preflight from an allowed origin before routing', async () => {
    const res = await fetch(`${api}/echo`, {
      method: 'OPTIONS',
      headers: { origin: 'http://allowed.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-one' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://allowed.example');
    expect(res.headers.get('access-control-allow-methods')).toBe('PUT');
    expect(res.headers.get('access-control-allow-headers')).toBe('x-one');
  });

  it('adds the allow-origin header for allowed origins only', async () => {
    const allowed = await fetch(`${api}/hello`, { headers: { origin: 'http://allowed.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://allowed.example');
    const other = await fetch(`${api}/hello`, { headers: { origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('settings', () => {
  it('applies local.settings.json Values under real environment variables and the env option', async () => {
    const { body } = await getJson(`${api}/envCheck`);
    expect(body).toMatchObject({
      FROM_SETTINGS: 'settings',
      OVERRIDDEN_BY_ENV: 'env',
      EMPTY_IN_ENV: 'settings',
      OVERRIDDEN_BY_OPTION: 'option',
      AZURE_FUNCTIONS_ENVIRONMENT: 'Development',
      WEBSITE_HOSTNAME: `localhost:${host.port}`,
      AzureWebJobsScriptRoot: CJS_APP.replace(/\/$/, ''),
    });
    expect(host.lines.some((l) => l.includes("Skipping 'OVERRIDDEN_BY_ENV' from local settings"))).toBe(true);
  });
});

describe('logging', () => {
  it('prints Core Tools-like lines and the function listing without keys', () => {
    const listing = host.lines.indexOf('Functions:');
    expect(listing).toBeGreaterThanOrEqual(0);
    expect(host.lines).toContain(`  routeInt: [GET] ${host.baseUrl}/api/items/{id:int}`);
    expect(host.lines.join('\n')).not.toContain(host.functionKey);
    expect(host.lines.join('\n')).not.toContain(host.masterKey);
  });

  it('logs Executing/Executed with the invocation id and filters levels by host.json (longest prefix wins)', async () => {
    await fetch(`${api}/hello`);
    await fetch(`${api}/logs`);
    const executing = await waitFor(
      () =>
        host.lines.find((l) =>
          /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] Executing 'Functions\.hello' \(Reason='This function was programmatically called via the host APIs\.', Id=[0-9a-f-]{36}\)$/.test(l),
        ),
      'Executing line',
    );
    const id = /Id=([0-9a-f-]{36})/.exec(executing)![1];
    await waitFor(() => host.lines.find((l) => new RegExp(`Executed 'Functions\\.hello' \\(Succeeded, Id=${id}, Duration=\\d+ms\\)`).test(l)), 'Executed line');
    await waitFor(() => host.lines.find((l) => l.endsWith('] log-error')), 'error line');
    await waitFor(() => host.lines.find((l) => l.endsWith('stdout-line from the app')), 'app stdout');
    const text = host.lines.join('\n');
    // Function.logs.User = Trace beats Function.logs = Warning for user lines...
    expect(text).toContain('] log-trace');
    expect(text).toContain('] log-debug');
    expect(text).toContain('] log-log 42');
    expect(text).toContain('] log-warn');
    // ...while host lines about the function (category Function.logs) stay at Warning.
    expect(text).not.toContain("Executing 'Functions.logs'");
    expect(text).toContain('] hello called');
  });

  it("passes every line through the app's log hooks, which may rewrite it", async () => {
    expect(await (await fetch(`${api}/redacted`)).text()).toBe('ok');
    await waitFor(() => host.lines.find((l) => l.endsWith('] probe category=user function=redacted')), 'rewritten probe line');
    expect(host.lines.some((l) => l.endsWith('] token=***'))).toBe(true);
    expect(host.lines.join('\n')).not.toContain('secret-value');
  });
});

describe('invocation hooks', () => {
  it('lets preInvocation replace the handler and postInvocation replace an error with a result', async () => {
    expect(await (await fetch(`${api}/hookSwap`)).text()).toBe('swapped:original');
    const rescued = await fetch(`${api}/hookRescue`);
    expect(rescued.status).toBe(200);
    expect(await rescued.text()).toBe('rescued by postInvocation');
  });
});
