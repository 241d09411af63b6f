// In-memory stand-ins for unit tests: a Key Vault secret store shaped like the SecretClient slice
// the rotation engine uses, an outbox, an event queue and a run lease.
import { randomBytes } from 'node:crypto';
import { RestError } from '@azure/core-rest-pipeline';
import type { KeyVaultSecret, SecretClient, SecretProperties } from '@azure/keyvault-secrets';
import type { EventSender, VaultEvent } from '../../src/platform/events.js';
import type { Outbox } from '../../src/platform/outbox.js';
import { LeaseLostError, type RunLease } from '../../src/platform/runLease.js';

interface Options {
  abortSignal?: AbortSignal;
  tags?: Record<string, string>;
  contentType?: string;
  expiresOn?: Date;
}

/** A call that never answers unless its signal aborts. */
const hang = (signal?: AbortSignal): Promise<never> =>
  new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }))));

export class FakeVault {
  readonly versions = new Map<string, KeyVaultSecret[]>();
  readonly calls: { op: 'list' | 'get' | 'set'; name?: string }[] = [];
  /** Time of the fake clock (ms); `createdOn` is kept to the second, as Key Vault does. */
  clock = Date.parse('2026-03-01T12:00:00.500Z');
  hangGets = false;
  /** The listing's second page never answers; like the SDK's later pages, it ignores signals. */
  hangSecondPage = false;
  pageSize = 25;
  /** Runs before a write is stored; may throw to fail the write, or return 'store-then-throw'. */
  beforeSet?: (name: string) => void | 'store-then-throw';

  get writes(): number {
    return this.calls.filter((call) => call.op === 'set').length;
  }

  /** Writes a version the way another client (or run) would. */
  put(name: string, value: string, options: Options = {}): KeyVaultSecret {
    const version = randomBytes(16).toString('hex');
    const properties: SecretProperties = {
      name,
      version,
      vaultUrl: 'https://fake.vault.azure.net',
      id: `https://fake.vault.azure.net/secrets/${name}/${version}`,
      enabled: true,
      createdOn: new Date(Math.floor(this.clock / 1000) * 1000),
      tags: options.tags,
      contentType: options.contentType,
      expiresOn: options.expiresOn,
    };
    const secret: KeyVaultSecret = { name, value, properties };
    this.versions.set(name, [...(this.versions.get(name) ?? []), secret]);
    return secret;
  }

  latest(name: string): KeyVaultSecret | undefined {
    return this.versions.get(name)?.at(-1);
  }

  /** The slice of SecretClient the engine calls. */
  client(): SecretClient {
    const fake = {
      listPropertiesOfSecrets: (options: Options = {}) => {
        this.calls.push({ op: 'list' });
        const all = [...this.versions.values()].map((versions) => versions.at(-1)!.properties);
        const { pageSize, hangSecondPage } = this;
        async function* pages() {
          for (let start = 0, index = 0; start < all.length; start += pageSize, index++) {
            if (index === 0 && options.abortSignal?.aborted) throw Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
            if (index === 1 && hangSecondPage) await hang();
            yield all.slice(start, start + pageSize);
          }
        }
        return {
          byPage: pages,
          async *[Symbol.asyncIterator]() {
            for await (const page of pages()) yield* page;
          },
        };
      },
      getSecret: async (name: string, options: Options = {}) => {
        this.calls.push({ op: 'get', name });
        if (options.abortSignal?.aborted) throw Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
        if (this.hangGets) return hang(options.abortSignal);
        const latest = this.latest(name);
        if (!latest) throw new RestError('not found', { statusCode: 404, code: 'SecretNotFound' });
        return structuredClone(latest);
      },
      setSecret: async (name: string, value: string, options: Options = {}) => {
        this.calls.push({ op: 'set', name });
        if (options.abortSignal?.aborted) throw Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
        const mode = this.beforeSet?.(name);
        if (options.abortSignal?.aborted) throw Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
        const written = this.put(name, value, options);
        if (mode === 'store-then-throw') throw Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
        return structuredClone(written);
      },
    };
    return fake as unknown as SecretClient;
  }
}

export class MemoryOutbox implements Outbox {
  readonly rows = new Map<string, VaultEvent>();
  failAdds = false;
  private next = 0;

  async add(event: VaultEvent): Promise<void> {
    if (this.failAdds) throw new Error('table unavailable');
    this.rows.set(`${String(this.next++).padStart(6, '0')}`, structuredClone(event));
  }

  async list(limit: number): Promise<{ id: string; event: VaultEvent }[]> {
    return [...this.rows.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .slice(0, limit)
      .map(([id, event]) => ({ id, event: structuredClone(event) }));
  }

  async remove(id: string): Promise<void> {
    this.rows.delete(id);
  }
}

/** A queue that accepts events unless told to refuse. */
export class FakeQueue implements EventSender {
  readonly sent: VaultEvent[] = [];
  tries = 0;
  /** Refuse every send while true; or refuse the next `refuseNext` sends. */
  down = false;
  refuseNext = 0;
  /** Refuse sends of events for these names. */
  refuseNames = new Set<string>();

  async send(event: VaultEvent): Promise<void> {
    this.tries++;
    if (this.down || this.refuseNames.has(event.name) || this.refuseNext-- > 0) throw Object.assign(new Error('server busy'), { statusCode: 503 });
    this.sent.push(structuredClone(event));
  }
}

/** A lease the test loses at will; losing it aborts the signal, as withRunLease does. */
export class FakeLease implements RunLease {
  private readonly controller = new AbortController();
  checks = 0;
  /** Called on every assertHeld; return false to lose the lease there. */
  holdOnCheck: (check: number) => boolean = () => true;
  /** Lose it without aborting the signal (only assertHeld finds out). */
  quietLoss = false;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  lose(): void {
    this.controller.abort(new LeaseLostError('test', 'lost by the test'));
  }

  async assertHeld(): Promise<void> {
    this.checks++;
    if (this.signal.aborted) throw new LeaseLostError('test', 'lost by the test');
    if (!this.holdOnCheck(this.checks)) {
      if (!this.quietLoss) this.lose();
      throw new LeaseLostError('test', 'lost by the test');
    }
  }
}
