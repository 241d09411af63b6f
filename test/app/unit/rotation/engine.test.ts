// The rotation engine against an in-memory vault: what it writes (versions) and publishes
// (events) when another run got there first, the secret changed, the queue fails or the lease
// is lost.
import { describe, expect, it } from 'vitest';
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

  it('gives up on a later listing page that does not answer (the SDK gives it no signal)', async () => {
    const { vault, engine } = setup(['a', 'b'], { callTimeoutMs: 50 });
    vault.pageSize = 1;
    vault.hangSecondPage = true;
    await expect(engine.run()).rejects.toThrow();
    expect(vault.writes).toBe(0);
  });

  it('abandons the listing when the lease is lost during planning', async () => {
    const { vault, engine } = setup(['a', 'b']);
    vault.pageSize = 1;
    vault.hangSecondPage = true;
    const lease = new FakeLease();
    setTimeout(() => lease.lose(), 20);
    expect(await engine.run({ lease })).toEqual({ planned: 0, invalid: 0, outcomes: [], leaseLost: true });
    expect(vault.writes).toBe(0);
  });
});
