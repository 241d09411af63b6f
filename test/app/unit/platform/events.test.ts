// The reliable publisher over a fake queue and an in-memory outbox: retries, keeps what the queue
// refuses with its original time, and drains the outbox later.
import { describe, expect, it } from 'vitest';
import { ReliableEventPublisher, type VaultEvent } from '../../../../src/platform/events.js';
import { FakeQueue, MemoryOutbox } from '../../../support/fakes.js';

const at = (iso: string) => () => new Date(iso);

function setup(options: { now?: () => Date; drainLimit?: number } = {}) {
  const queue = new FakeQueue();
  const outbox = new MemoryOutbox();
  const publisher = new ReliableEventPublisher(queue, outbox, { retryDelaysMs: [0, 0, 0], ...options });
  return { queue, outbox, publisher };
}

describe('reliable event publisher', () => {
  it('sends an event once, with its time and only its own fields', async () => {
    const { queue, outbox, publisher } = setup({ now: at('2026-03-01T10:00:00.000Z') });
    await publisher.publish({ type: 'SecretRotated', name: 'a', version: 'v2', reason: 'replaces v1', value: 'must-not-travel' } as never);
    expect(queue.sent).toEqual([{ type: 'SecretRotated', name: 'a', version: 'v2', reason: 'replaces v1', time: '2026-03-01T10:00:00.000Z' }]);
    expect(outbox.rows.size).toBe(0);
  });

  it('retries a refused send, and a queue that recovers in time gets the event once', async () => {
    const { queue, outbox, publisher } = setup();
    queue.refuseNext = 3;
    await publisher.publish({ type: 'SecretRotated', name: 'a', version: 'v2' });
    expect(queue.tries).toBe(4);
    expect(queue.sent.map((e) => e.name)).toEqual(['a']);
    expect(outbox.rows.size).toBe(0);
  });

  it('keeps an event the queue still refuses in the outbox, with its original time and no value', async () => {
    const { queue, outbox, publisher } = setup({ now: at('2026-03-01T10:00:00.000Z') });
    queue.down = true;
    await publisher.publish({ type: 'OperationFailed', name: 'c', reason: 'certificate.renew failed', value: 'must-not-travel' } as never);
    expect(queue.tries).toBe(4);
    expect([...outbox.rows.values()]).toEqual([{ type: 'OperationFailed', name: 'c', reason: 'certificate.renew failed', time: '2026-03-01T10:00:00.000Z' }]);
  });

  it('tries a queue that just failed once, without back-off, for the next events', async () => {
    const { queue, outbox, publisher } = setup();
    queue.down = true;
    await publisher.publish({ type: 'SecretRotated', name: 'a' });
    const tries = queue.tries;
    await publisher.publish({ type: 'SecretRotated', name: 'b' });
    expect(queue.tries - tries).toBe(1);
    expect(outbox.rows.size).toBe(2);
  });

  it('throws when the event can be neither sent nor kept', async () => {
    const { queue, outbox, publisher } = setup();
    queue.down = true;
    outbox.failAdds = true;
    await expect(publisher.publish({ type: 'SecretRotated', name: 'a' })).rejects.toThrow(/neither published nor kept/);
  });
});

describe('draining the outbox', () => {
  async function keep(publisher: ReliableEventPublisher, queue: FakeQueue, names: string[]) {
    queue.down = true;
    for (const name of names) await publisher.publish({ type: 'SecretRotated', name, version: `${name}-v2` });
    queue.down = false;
  }

  it('sends the kept events oldest first with their original time, and removes them', async () => {
    let clock = Date.parse('2026-03-01T10:00:00.000Z');
    const { queue, outbox, publisher } = setup({ now: () => new Date((clock += 1_000)) });
    await keep(publisher, queue, ['a', 'b', 'c']);
    const kept = [...outbox.rows.values()];

    expect(await publisher.drainOutbox()).toEqual({ published: 3, kept: 0 });
    expect(queue.sent).toEqual(kept);
    expect(queue.sent.map((e: VaultEvent) => e.time)).toEqual(['2026-03-01T10:00:01.000Z', '2026-03-01T10:00:02.000Z', '2026-03-01T10:00:03.000Z']);
    expect(outbox.rows.size).toBe(0);
  });

  it('leaves a row that fails again (and those after it) for the next drain', async () => {
    const { queue, outbox, publisher } = setup();
    await keep(publisher, queue, ['a', 'b', 'c']);
    queue.refuseNames.add('b');

    expect(await publisher.drainOutbox()).toEqual({ published: 1, kept: 2 });
    expect(queue.sent.map((e) => e.name)).toEqual(['a']);
    expect([...outbox.rows.values()].map((e) => e.name)).toEqual(['b', 'c']);

    queue.refuseNames.clear();
    expect(await publisher.drainOutbox()).toEqual({ published: 2, kept: 0 });
    expect(queue.sent.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(outbox.rows.size).toBe(0);
  });

  it('sends at most drainLimit rows per drain', async () => {
    const { queue, outbox, publisher } = setup({ drainLimit: 2 });
    await keep(publisher, queue, ['a', 'b', 'c']);
    expect(await publisher.drainOutbox()).toEqual({ published: 2, kept: 0 });
    expect(outbox.rows.size).toBe(1);
  });
});
