// Start-up validation: settings, host.json, entry points, route conflicts and reserved routes
// make startHost() fail with a message that names the problem.
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startTestHost, makeTempApp, waitFor } from './hostHarness.js';

const httpFn = (name: string, route?: string, methods = ['GET']) =>
  `app.http(${JSON.stringify(name)}, { methods: ${JSON.stringify(methods)}, authLevel: 'anonymous',${route !== undefined ? ` route: ${JSON.stringify(route)},` : ''} handler: async () => ({ body: ${JSON.stringify(name)} }) });\n`;

function appWith(code: string, files: Record<string, string> = {}): string {
  return makeTempApp({ 'functions/app.js': `const { app } = require('@azure/functions');\n${code}`, ...files });
}

async function startFails(appDir: string, message: string | RegExp): Promise<void> {
  await expect(startTestHost({ appDir })).rejects.toThrow(message);
}

describe('route validation', () => {
  it('refuses a second function with the same route (case and outer slashes ignored) and overlapping methods', async () => {
    await startFails(
      appWith(httpFn('first', 'things/{id}') + httpFn('second', '/THINGS/{id}/', ['GET', 'POST'])),
      "Function 'second': the route specified conflicts with the route defined by function 'first'.",
    );
  });

  it('accepts the same route with other methods or other parameter names', async () => {
    const host = await startTestHost({
      appDir: appWith(httpFn('getIt', 'things/{id}') + httpFn('postIt', 'things/{id}', ['POST']) + httpFn('byName', 'things/{name}')),
    });
    try {
      expect(await (await fetch(`${host.baseUrl}/api/things/1`, { method: 'POST' })).text()).toBe('postIt');
      expect(await (await fetch(`${host.baseUrl}/api/things/1`)).text()).toBe('byName');
    } finally {
      await host.stop();
    }
  });

  it.each(['admin/x', 'Administrators', 'runtime/webhooks'])('refuses the built-in route prefix in %s', async (route) => {
    await startFails(appWith(httpFn('reserved', route)), 'conflicts with one or more built in routes');
  });

  it('refuses an unknown route constraint', async () => {
    await startFails(appWith(httpFn('badConstraint', 'x/{id:nonsense}')), "the constraint reference 'nonsense' could not be resolved");
  });
});

describe('settings and host.json', () => {
  it('refuses local.settings.json without "IsEncrypted": false', async () => {
    await startFails(appWith(httpFn('a'), { 'local.settings.json': JSON.stringify({ Values: {} }) }), /IsEncrypted.*missing \(which means true\)/);
    await startFails(appWith(httpFn('a'), { 'local.settings.json': JSON.stringify({ IsEncrypted: true, Values: {} }) }), /IsEncrypted/);
  });

  it('requires host.json with version 2.0', async () => {
    await startFails(appWith(httpFn('a'), { 'host.json': JSON.stringify({}) }), '"version" must be "2.0"');
  });

  it('uses Host.LocalHttpPort when no port is given', async () => {
    const app = appWith(httpFn('a'), { 'local.settings.json': JSON.stringify({ IsEncrypted: false, Host: { LocalHttpPort: 0 } }) });
    const host = await startTestHost({ appDir: app, port: undefined });
    try {
      expect(host.port).toBeGreaterThan(0);
    } finally {
      await host.stop();
    }
  });

  it('loads only the functions listed in host.json "functions"', async () => {
    const host = await startTestHost({
      appDir: appWith(httpFn('kept') + httpFn('dropped'), { 'host.json': JSON.stringify({ version: '2.0', functions: ['kept'] }) }),
    });
    try {
      expect(host.functions.map((f) => f.name)).toEqual(['kept']);
      expect((await fetch(`${host.baseUrl}/api/dropped`)).status).toBe(404);
    } finally {
      await host.stop();
    }
  });
});

describe('entry points and functions', () => {
  it('names a plain main that does not exist', async () => {
    await startFails(makeTempApp({ 'package.json': JSON.stringify({ main: 'dist/missing.js' }) }), 'File does not exist: "dist/missing.js"');
  });

  it('names a glob that matches nothing', async () => {
    await startFails(makeTempApp({ 'package.json': JSON.stringify({ main: 'dist/*.js' }) }), 'Found zero files matching the supplied pattern "dist/*.js"');
  });

  it('names the entry point that throws while loading', async () => {
    await startFails(appWith("throw new Error('boom at load');"), /unable to load entry point "functions\/app\.js".*boom at load/s);
  });

  it('starts with no functions when package.json has no main', async () => {
    const host = await startTestHost({ appDir: makeTempApp({ 'package.json': JSON.stringify({ name: 'empty' }) }) });
    try {
      expect(host.functions).toEqual([]);
      expect((await fetch(`${host.baseUrl}/`)).status).toBe(200);
    } finally {
      await host.stop();
    }
  });

  it('refuses invalid function names', async () => {
    await startFails(appWith(httpFn('host')), "'host' is not a valid function name");
  });

  it('fails clearly for a trigger type the local host does not support', async () => {
    await startFails(
      appWith("app.serviceBusQueue('bus', { queueName: 'q', connection: 'SB', handler: async () => undefined });"),
      "trigger type 'serviceBusTrigger' is not supported",
    );
  });

  it('refuses HTTP streaming, which the local host does not implement', async () => {
    await startFails(appWith(`app.setup({ enableHttpStream: true });\n${httpFn('a')}`), 'HTTP streaming');
  });
});

describe('after start-up', () => {
  it('refuses registrations once the app has started, and can turn the landing page off', async () => {
    const late = `setTimeout(() => {
  try { app.http('late', { handler: async () => ({}) }); } catch (err) { console.log('late: ' + err.message); }
}, 0);\n`;
    const host = await startTestHost({
      appDir: appWith(httpFn('early') + late, {
        'local.settings.json': JSON.stringify({ IsEncrypted: false, Values: { AzureWebJobsDisableHomepage: 'true' } }),
      }),
    });
    try {
      await waitFor(() => host.lines.find((l) => l.endsWith('late: A function can only be registered during app startup.')), 'late registration error');
      expect((await fetch(`${host.baseUrl}/api/late`)).status).toBe(404);
      expect((await fetch(`${host.baseUrl}/`)).status).toBe(204);
    } finally {
      await host.stop();
    }
  });
});

describe('listen address', () => {
  const app = () => appWith(httpFn('hello', 'hello'));
  // An address of this machine that is not loopback (there may be none, e.g. in a sandbox).
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  const reachable = (address: string, port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: address, port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });

  it('binds 127.0.0.1 by default: the keys are the only guard, so the network does not see the host', async () => {
    const host = await startTestHost({ appDir: app() });
    try {
      expect(host.bindAddress).toBe('127.0.0.1');
      expect(await reachable('127.0.0.1', host.port)).toBe(true);
      if (external) expect(await reachable(external, host.port)).toBe(false);
    } finally {
      await host.stop();
    }
  });

  it('binds what bindAddress (--bind) says', async () => {
    const host = await startTestHost({ appDir: app(), bindAddress: '0.0.0.0' });
    try {
      expect(host.bindAddress).toBe('0.0.0.0');
      if (external) expect(await reachable(external, host.port)).toBe(true);
    } finally {
      await host.stop();
    }
  });
});
