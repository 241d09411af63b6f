// Identity state that must survive restarts so issued tokens keep validating and principal ids
// stay stable: tenant, identities' ids, and the RS256 signing key. Persisted (atomically) as
// <dataDir>/identity.json; kept in memory only when no dataDir is given.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../shared/atomicFile.js';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export interface PersistedIds {
  clientId: string;
  objectId: string;
}

export interface IdentityState {
  tenantId: string;
  systemAssigned: PersistedIds;
  /** name → ids of user-assigned identities created without explicit ids. */
  userAssigned: Record<string, PersistedIds>;
  /** Private signing key (JWK with kid). */
  signingKey: JWK & { kid: string };
}

const STATE_FILE = 'identity.json';

export function newIds(): PersistedIds {
  return { clientId: randomUUID(), objectId: randomUUID() };
}

async function newSigningKey(): Promise<JWK & { kid: string }> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

/**
 * In-memory state is shared by every endpoint of the process: msal-node caches managed-identity
 * tokens process-wide (keyed by identity and resource, not by endpoint), so a second in-memory
 * emulator with its own key would be handed the first one's tokens and reject them.
 */
let processState: Promise<IdentityState> | undefined;

async function freshState(tenantId?: string): Promise<IdentityState> {
  return { tenantId: tenantId ?? randomUUID(), systemAssigned: newIds(), userAssigned: {}, signingKey: await newSigningKey() };
}

export class IdentityStateStore {
  private constructor(
    readonly state: IdentityState,
    private readonly file: string | undefined,
  ) {}

  /** Loads `<dataDir>/identity.json` or creates it; in memory when `dataDir` is undefined. */
  static async open(dataDir: string | undefined, tenantId?: string): Promise<IdentityStateStore> {
    const file = dataDir ? path.join(dataDir, STATE_FILE) : undefined;
    if (file) {
      try {
        const state = JSON.parse(await readFile(file, 'utf8')) as IdentityState;
        if (tenantId && state.tenantId !== tenantId) state.tenantId = tenantId;
        const store = new IdentityStateStore(state, file);
        await store.save();
        return store;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read identity state ${file}: ${(error as Error).message}`, { cause: error });
      }
    }
    let state: IdentityState;
    if (file) state = await freshState(tenantId);
    else {
      processState ??= freshState(tenantId);
      const shared = await processState;
      state = tenantId && shared.tenantId !== tenantId ? await freshState(tenantId) : shared;
    }
    const store = new IdentityStateStore(state, file);
    await store.save();
    return store;
  }

  /** Stable ids for a user-assigned identity named `name` (created on first use). */
  async idsFor(name: string): Promise<PersistedIds> {
    let ids = this.state.userAssigned[name];
    if (!ids) {
      ids = this.state.userAssigned[name] = newIds();
      await this.save();
    }
    return ids;
  }

  async save(): Promise<void> {
    if (!this.file) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify(this.state, null, 2));
  }
}
