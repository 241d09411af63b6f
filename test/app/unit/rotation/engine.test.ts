// The rotation engine against an in-memory vault: what it writes (versions) and publishes
// (events) when another run got there first, the secret changed, the queue fails or the lease
// is lost.
import { createHttpHeaders, RestError, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { SecretClient } from '@azure/keyvault-secrets';
import { describe, expect, it } from 'vitest';
import type { ThrottleSignal } from '../../../../src/platform/throttleGate.js';
import { ReliableEventPublisher, type EventPublisher, type VaultEvent } from '../../../../src/platform/events.js';
import { LEASE_LOST, RotationEngine, type RotationDeps } from '../../../../src/rotation/engine.js';
import { noTargetUpdate } from '../../../../src/rotation/targetHook.js';
import { FakeLease, FakeQueue, FakeVault, MemoryOutbox } from '../../../support/fakes.js';

const DUE = { 'rotation-interval': 'P1D' };

/** A vault whose secrets were written two days before the engine's clock. */
function setup(names: string[], deps: Partial<RotationDeps> = {}) {
  const vault = new FakeVault();
  for (const name of names) vault.put(name, `old-${name}`, { tags: DUE });
  vault.clock += 2 * 86_400_000;
  const events: Omit<VaultEvent, 'time'>[] = [];
  const engine = new RotationEngine({
    secrets: vault.client(),
    events: { publish: async (event) => void events.push(event) },
    hook: noTargetUpdate,
    concurrency: 1,
    log: () => undefined,
    now: () => new Date(vault.clock),
    jitterMs: 0,
    ...deps,
  });
  return { vault, engine, events };
}

describe('rotation engine: another writer got there first', () => {
  it('skips a secret another run already rotated (its rotation id is on the latest version) and writes nothing', async () => {
    const { vault, engine, events } = setup(['a']);
    const { due } = await engine.plan();
    expect(due).toHaveLength(1);
    // The other run's version lands within the same second as the planned version: Key Vault's
    // createdOn (whole seconds) cannot tell them apart, only the rotation id can.
    vault.clock -= 2 * 86_400_000;
    vault.put('a', 'rotated-elsewhere', { tags: { ...DUE, 'rotation-id': due[0]!.rotationId } });
    expect(vault.latest('a')!.properties.createdOn).toEqual(vault.versions.get('a')![0]!.properties.createdOn);

    const outcome = await engine.rotate(due[0]!);
    expect(outcome).toMatchObject({ status: 'skipped' });
    expect(vault.writes).toBe(0);
    expect(vault.versions.get('a')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'SecretRotated')).toEqual([]);
  });

  it('skips a secret that changed since planning and writes nothing', async () => {
    const { vault, engine, events } = setup(['a']);
    const { due } = await engine.plan();
    vault.clock += 5_000;
    vault.put('a', 'set-by-a-user', { tags: DUE });

    const outcome = await engine.rotate(due[0]!);
    expect(outcome).toMatchObject({ status: 'skipped' });
    expect(vault.writes).toBe(0);
    expect(vault.latest('a')!.value).toBe('set-by-a-user');
    expect(events).toEqual([]);
  });

  it('gives two runs planning the same version the same rotation id, so the second skips', async () => {
    const { vault, engine } = setup(['a']);
    const first = (await engine.plan()).due[0]!;
    const second = (await engine.plan()).due[0]!;
    expect(second.rotationId).toBe(first.rotationId);
    vault.clock -= 2 * 86_400_000;
    expect(await engine.rotate(first)).toMatchObject({ status: 'rotated' });
    expect(await engine.rotate(second)).toMatchObject({ status: 'skipped' });
    expect(vault.versions.get('a')).toHaveLength(2);
  });
});

describe('rotation engine: the event after the write', () => {
  it('reports a rotation whose event publish fails as rotated, and the event is kept in the outbox', async () => {
    const queue = new FakeQueue();
    queue.down = true;
    const outbox = new MemoryOutbox();
    const { vault, engine } = setup(['a'], { events: new ReliableEventPublisher(queue, outbox, { retryDelaysMs: [0, 0] }) });

    const summary = await engine.run();
    expect(summary.outcomes).toEqual([{ name: 'a', status: 'rotated', version: vault.latest('a')!.properties.version }]);
    expect(vault.versions.get('a')).toHaveLength(2);
    expect(queue.tries).toBe(3);
    expect([...outbox.rows.values()]).toEqual([
      {
        type: 'SecretRotated',
        name: 'a',
        version: vault.latest('a')!.properties.version,
        time: expect.any(String),
        reason: expect.stringContaining(vault.versions.get('a')![0]!.properties.version!),
      },
    ]);
  });

  it('reports it rotated even when the event can be neither published nor kept', async () => {
    const failing: EventPublisher = { publish: async () => Promise.reject(new Error('queue and table down')) };
    const { vault, engine } = setup(['a', 'b'], { events: failing });
    const summary = await engine.run();
    expect(summary.outcomes.map((o) => o.status)).toEqual(['rotated', 'rotated']);
    expect(vault.writes).toBe(2);
  });

  it('rotate-now answers rotated when the publish fails', async () => {
    const failing: EventPublisher = { publish: async () => Promise.reject(new Error('queue down')) };
    const { vault, engine } = setup(['a'], { events: failing });
    expect(await engine.rotateNow('a')).toEqual({ name: 'a', status: 'rotated', version: vault.latest('a')!.properties.version });
  });

  it('retries the publish before keeping the event: a queue that recovers gets it once', async () => {
    const queue = new FakeQueue();
    queue.refuseNext = 2;
    const outbox = new MemoryOutbox();
    const { vault, engine } = setup(['a'], { events: new ReliableEventPublisher(queue, outbox, { retryDelaysMs: [0, 0] }) });
    await engine.run();
    expect(queue.sent.map((e) => [e.type, e.name, e.version])).toEqual([['SecretRotated', 'a', vault.latest('a')!.properties.version]]);
    expect(outbox.rows.size).toBe(0);
  });
});

describe('rotation engine: lease loss', () => {
  it('writes nothing once the lease is found lost right before a write, and stops the run', async () => {
    const { vault, engine } = setup(['a', 'b', 'c']);
    const lease = new FakeLease();
    lease.holdOnCheck = (check) => check === 1;

    const summary = await engine.run({ lease });
    expect(vault.writes).toBe(1);
    expect(summary.leaseLost).toBe(true);
    expect(summary.outcomes.filter((o) => o.status === 'rotated')).toHaveLength(1);
    expect(summary.outcomes.filter((o) => o.status === 'skipped').map((o) => o.status === 'skipped' && o.reason)).toEqual([LEASE_LOST, LEASE_LOST]);
    expect(summary.outcomes.some((o) => o.status === 'failed')).toBe(false);
    // Stopped: after the loss no other secret was even read.
    expect(vault.calls.filter((c) => c.op === 'get')).toHaveLength(2);
  });

  it('stops on a loss only assertHeld reports (the signal never aborts)', async () => {
    const { vault, engine } = setup(['a', 'b', 'c']);
    const lease = new FakeLease();
    lease.quietLoss = true;
    lease.holdOnCheck = () => false;

    const summary = await engine.run({ lease });
    expect(vault.writes).toBe(0);
    expect(summary.leaseLost).toBe(true);
    expect(summary.outcomes.map((o) => o.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(vault.calls.filter((c) => c.op === 'get')).toHaveLength(1);
  });

  it('abandons the rest of the listing once the run has stopped', { timeout: 10_000 }, async () => {
    // The second page never answers and the call timeout is an hour: only the stop ends the listing.
    const { vault, engine } = setup(['a', 'b'], { callTimeoutMs: 3_600_000 });
    vault.pageSize = 1;
    vault.hangSecondPage = true;
    const lease = new FakeLease();
    lease.quietLoss = true;
    lease.holdOnCheck = () => false;

    const summary = await engine.run({ lease });
    expect(summary).toMatchObject({ planned: 1, leaseLost: true, outcomes: [{ name: 'a', status: 'skipped', reason: LEASE_LOST }] });
    expect(vault.writes).toBe(0);
  });

  it('checks the lease immediately before each write, after the target hook', async () => {
    const lease = new FakeLease();
    const { vault, engine } = setup(['a'], { hook: { beforeWrite: async () => lease.lose() } });
    const summary = await engine.run({ lease });
    expect(vault.writes).toBe(0);
    expect(summary.outcomes).toEqual([{ name: 'a', status: 'skipped', reason: LEASE_LOST }]);
  });

  it('lets a write already on its way when the lease is lost finish, and counts it', async () => {
    const { vault, engine, events } = setup(['a', 'b']);
    const lease = new FakeLease();
    vault.beforeSet = () => lease.lose();
    const summary = await engine.run({ lease });
    expect(vault.versions.get('a')).toHaveLength(2);
    expect(vault.versions.get('b')).toHaveLength(1);
    expect(summary.outcomes).toEqual([
      { name: 'a', status: 'rotated', version: vault.latest('a')!.properties.version },
      { name: 'b', status: 'skipped', reason: LEASE_LOST },
    ]);
    expect(events.filter((e) => e.type === 'SecretRotated').map((e) => e.version)).toEqual([vault.latest('a')!.properties.version]);
  });

  it('counts a write whose answer never came (timed out) as rotated when it did land', async () => {
    const { vault, engine, events } = setup(['a']);
    vault.beforeSet = () => 'store-then-throw';
    const summary = await engine.run({ lease: new FakeLease() });
    expect(vault.versions.get('a')).toHaveLength(2);
    expect(summary.outcomes).toEqual([{ name: 'a', status: 'rotated', version: vault.latest('a')!.properties.version }]);
    expect(events.filter((e) => e.type === 'SecretRotated').map((e) => e.version)).toEqual([vault.latest('a')!.properties.version]);
  });

  it('reports a write that failed after the lease was lost as skipped, not failed', async () => {
    const { vault, engine, events } = setup(['a']);
    const lease = new FakeLease();
    vault.beforeSet = () => {
      lease.lose();
      throw Object.assign(new Error('socket hang up'), { name: 'RestError', code: 'ECONNRESET' });
    };
    const summary = await engine.run({ lease });
    expect(vault.versions.get('a')).toHaveLength(1);
    expect(summary.outcomes).toEqual([{ name: 'a', status: 'skipped', reason: LEASE_LOST }]);
    expect(events).toEqual([]);
  });
});

describe('rotation engine: hung calls', () => {
  it('gives up on a Key Vault read that does not answer within the call timeout', async () => {
    const { vault, engine, events } = setup(['a'], { callTimeoutMs: 50 });
    vault.hangGets = true;
    const summary = await engine.run();
    expect(summary.outcomes).toMatchObject([{ name: 'a', status: 'failed' }]);
    expect(vault.writes).toBe(0);
    expect(events.map((e) => e.type)).toEqual(['OperationFailed']);
  });

  it('gives up on a later listing page that does not answer (the SDK gives it no signal), after rotating what it had listed', async () => {
    const { vault, engine } = setup(['a', 'b'], { callTimeoutMs: 50 });
    vault.pageSize = 1;
    vault.hangSecondPage = true;
    await expect(engine.run()).rejects.toThrow();
    // The first page's secret was rotated while the listing was still waiting for its second page.
    expect(vault.writes).toBe(1);
    expect((await vault.client().getSecret('a')).value).not.toBe('old-a');
    expect((await vault.client().getSecret('b')).value).toBe('old-b');
  });

  it('abandons the listing when the lease is lost during planning', async () => {
    const { vault, engine } = setup(['a', 'b']);
    vault.pageSize = 1;
    vault.hangSecondPage = true;
    const lease = new FakeLease();
    setTimeout(() => lease.lose(), 20);
    const summary = await engine.run({ lease });
    // Only the first page's secret was planned; it was rotated, or skipped if the loss came first.
    expect(summary).toMatchObject({ planned: 1, leaseLost: true });
    expect(summary.outcomes.map((outcome) => outcome.name)).toEqual(['a']);
    expect((await vault.client().getSecret('b')).value).toBe('old-b');
  });
});

describe('rotation engine: concurrency that follows the vault', () => {
  /** A vault whose reads take a few ms, counting the rotations in flight (from read to write). */
  function measured(names: string[], deps: Partial<RotationDeps>) {
    const listeners = new Set<(retryAfterMs: number) => void>();
    const throttling: ThrottleSignal = {
      onThrottled: (listener) => {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    };
    const { vault, engine } = setup(names, { throttling, ...deps });
    const client = vault.client();
    const inFlight = { now: 0, atEachStart: [] as number[] };
    const get = client.getSecret.bind(client);
    const set = client.setSecret.bind(client);
    Object.assign(client, {
      getSecret: async (...args: Parameters<SecretClient['getSecret']>) => {
        inFlight.atEachStart.push(++inFlight.now);
        await new Promise((resolve) => setTimeout(resolve, 2));
        return get(...args);
      },
      setSecret: async (...args: Parameters<SecretClient['setSecret']>) => {
        try {
          return await set(...args);
        } finally {
          inFlight.now--;
        }
      },
    });
    const throttle = (retryAfterMs: number) => {
      for (const listener of listeners) listener(retryAfterMs);
    };
    // The engine was built with the unwrapped client: rebuild it on the wrapped one.
    const rebuilt = new RotationEngine({ ...(engine as unknown as { deps: RotationDeps }).deps, secrets: client });
    return { vault, engine: rebuilt, inFlight, throttle, listeners };
  }

  it('grows the rotations in flight up to the upper bound while the vault answers', async () => {
    const names = Array.from({ length: 120 }, (_, i) => `s${i}`);
    const { vault, engine, inFlight, listeners } = measured(names, { concurrency: 24, initialConcurrency: 2 });
    const summary = await engine.run();
    expect(summary.outcomes.filter((o) => o.status === 'rotated')).toHaveLength(120);
    expect(vault.writes).toBe(120);
    expect(inFlight.atEachStart[0]).toBe(1);
    expect(Math.max(...inFlight.atEachStart.slice(0, 2))).toBeLessThanOrEqual(2);
    expect(Math.max(...inFlight.atEachStart)).toBe(24);
    // The run stops listening once it is over.
    expect(listeners.size).toBe(0);
  });

  it('halves the rotations in flight on a 429 the SDK retried away, then grows them again', async () => {
    const names = Array.from({ length: 200 }, (_, i) => `s${i}`);
    const { engine, inFlight, throttle } = measured(names, { concurrency: 32, initialConcurrency: 32 });
    // The vault answers 429 once, the first time 32 rotations are in flight.
    let throttledAt: number | undefined;
    const watch = setInterval(() => {
      if (throttledAt === undefined && inFlight.now >= 32) {
        throttledAt = inFlight.atEachStart.length;
        throttle(20);
      }
    }, 0);
    const summary = await engine.run();
    clearInterval(watch);
    expect(summary.outcomes.filter((o) => o.status === 'rotated')).toHaveLength(200);
    expect(throttledAt).toBeDefined();
    // Once the 32 rotations started before the 429 are under way, about half as many are in flight
    // (16, plus one per round since)…
    const after = inFlight.atEachStart.slice(throttledAt! + 32);
    expect(Math.max(...after.slice(0, 10))).toBeLessThanOrEqual(20);
    // … and the limit grows again, one per round.
    expect(Math.max(...after)).toBeGreaterThan(20);
  });

  it('lowers its concurrency on a 429 that surfaced after the SDK retries, and rotates the secret later', async () => {
    const lines: string[] = [];
    const { vault, engine } = setup(['a', 'b', 'c', 'd'], { concurrency: 4, initialConcurrency: 4, log: (line) => lines.push(line) });
    let refused = 0;
    vault.beforeSet = () => {
      if (refused++ > 0) return;
      throw new RestError('throttled', { statusCode: 429, response: { headers: createHttpHeaders({ 'retry-after': '0' }), status: 429 } as PipelineResponse });
    };
    const summary = await engine.run();
    expect(summary.outcomes.map((o) => o.status)).toEqual(['rotated', 'rotated', 'rotated', 'rotated']);
    expect(vault.writes).toBe(5);
    expect(lines).toContainEqual(expect.stringMatching(/answered 429 1 times; .* lowered 1 times/));
  });
});
