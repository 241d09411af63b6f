import type { SecretClient } from '@azure/keyvault-secrets';
import { DEFAULT_VAULT } from '../platform/config.js';
import { checkPreconditions, hasPreconditions, type Preconditions } from '../platform/conditional.js';
import type { IdempotencyStore } from '../platform/idempotency.js';
import { readApiPage, type ApiPage } from '../platform/paging.js';
import { RestError } from '@azure/core-rest-pipeline';
import { problems, type Subject } from '../platform/problems.js';
import { innerCode, isNotFound, vaultCall, vaultProblem } from '../platform/vaultFailures.js';
import { settle, whenSettled } from '../platform/vaultSettling.js';
import { toDeletedSecret, toSecretResponse, toSecretSummary } from './mapping.js';
import type { DeletedSecretResponse, SecretResponse, SetSecretInput, UpdateSecretInput } from './schemas.js';

export interface SecretsDeps {
  client: SecretClient;
  vaultUrl: string;
  /** The vault's alias: idempotency records of other vaults never collide (`default` keeps the plain scope). */
  vaultAlias?: string;
  idempotency: IdempotencyStore;
}

const toDate = (value: string | null | undefined) => (value ? new Date(value) : undefined);
const isDisabled = (error: unknown) => error instanceof RestError && error.statusCode === 403 && innerCode(error) === 'SecretDisabled';

/** The secrets operations of the API, on top of the Key Vault SDK. */
export class SecretsService {
  constructor(private readonly deps: SecretsDeps) {}

  /** The secret `name` in this vault, as problems name it (their messages give this vault's routes). */
  private subject(name: string): Subject {
    return { kind: 'Secret', name, vault: this.deps.vaultAlias };
  }

  private deletedSubject(name: string): Subject {
    return { ...this.subject(name), deleted: true };
  }

  async get(name: string, version?: string): Promise<SecretResponse> {
    const secret = await vaultCall(this.subject(name), () => this.deps.client.getSecret(name, version ? { version } : {}));
    return toSecretResponse(secret);
  }

  /**
   * Adds a version (or creates the secret). `created` tells a new secret from a new version;
   * with an Idempotency-Key, a repeated identical request returns the first version.
   */
  async set(
    name: string,
    input: SetSecretInput,
    preconditions: Preconditions,
    idempotencyKey: string | undefined,
  ): Promise<{ secret: SecretResponse; created: boolean; replayed: boolean }> {
    let written: SecretResponse | undefined;
    const write = async () => {
      const current = await this.currentVersion(name, hasPreconditions(preconditions));
      if (hasPreconditions(preconditions)) checkPreconditions(preconditions, current.version);
      const secret = await vaultCall(this.subject(name), () =>
        whenSettled(() =>
          this.deps.client.setSecret(name, input.value, {
            contentType: input.contentType,
            tags: input.tags,
            enabled: input.enabled,
            notBefore: toDate(input.notBefore),
            expiresOn: toDate(input.expiresOn),
          }),
        ),
      );
      written = toSecretResponse(secret);
      return { status: current.exists ? 200 : 201, result: written.version };
    };
    const outcome = idempotencyKey
      ? await this.deps.idempotency.run(`${this.scopePrefix()}secrets/${name.toLowerCase()}`, idempotencyKey, { name: name.toLowerCase(), input, preconditions }, write)
      : { ...(await write()), replayed: false };
    const secret = written ?? (await this.get(name, outcome.result));
    return { secret, created: outcome.status === 201, replayed: outcome.replayed };
  }

  async update(name: string, version: string | undefined, input: UpdateSecretInput, preconditions: Preconditions): Promise<SecretResponse> {
    const current = await this.currentVersion(name, true);
    if (!current.exists) throw problems.notFound(this.subject(name));
    if (hasPreconditions(preconditions)) checkPreconditions(preconditions, current.version);
    const target = version ?? current.version!;
    const properties = await vaultCall(this.subject(name), () =>
      this.deps.client.updateSecretProperties(name, target, {
        enabled: input.enabled,
        contentType: input.contentType,
        tags: input.tags,
        // null clears a date; Key Vault reads 0 as "absent"
        notBefore: input.notBefore === null ? new Date(0) : toDate(input.notBefore),
        expiresOn: input.expiresOn === null ? new Date(0) : toDate(input.expiresOn),
      }),
    );
    return toSecretSummary(properties);
  }

  async list(pageSize: number | undefined, continuationToken: string | undefined): Promise<ApiPage<Omit<SecretResponse, 'value'>>> {
    const request = { listing: 'secrets', pathPrefix: '/secrets', vaultUrl: this.deps.vaultUrl, pageSize, continuationToken };
    return vaultCall(this.subject('*'), () =>
      readApiPage(request, (link, size) => this.deps.client.listPropertiesOfSecrets().byPage({ maxPageSize: size, continuationToken: link }), toSecretSummary),
    );
  }

  async listVersions(name: string, pageSize: number | undefined, continuationToken: string | undefined): Promise<ApiPage<Omit<SecretResponse, 'value'>>> {
    const request = { listing: `secret-versions:${name.toLowerCase()}`, pathPrefix: `/secrets/${name}/versions`, vaultUrl: this.deps.vaultUrl, pageSize, continuationToken };
    return vaultCall(this.subject(name), () =>
      readApiPage(request, (link, size) => this.deps.client.listPropertiesOfSecretVersions(name).byPage({ maxPageSize: size, continuationToken: link }), toSecretSummary),
    );
  }

  async listDeleted(pageSize: number | undefined, continuationToken: string | undefined): Promise<ApiPage<DeletedSecretResponse>> {
    const request = { listing: 'deleted-secrets', pathPrefix: '/deletedsecrets', vaultUrl: this.deps.vaultUrl, pageSize, continuationToken };
    return vaultCall(this.subject('*'), () =>
      readApiPage(request, (link, size) => this.deps.client.listDeletedSecrets().byPage({ maxPageSize: size, continuationToken: link }), toDeletedSecret),
    );
  }

  async delete(name: string, preconditions: Preconditions): Promise<DeletedSecretResponse> {
    if (hasPreconditions(preconditions)) checkPreconditions(preconditions, (await this.currentVersion(name, true)).version);
    // The first poll has sent DELETE; waiting until Key Vault has finished it means the caller can
    // read, recover or purge the deleted secret right after this answer.
    const poller = await vaultCall(this.subject(name), () => this.deps.client.beginDeleteSecret(name));
    await vaultCall(this.subject(name), () => settle(poller));
    const deleted = poller.getOperationState().result;
    if (!deleted) throw new Error('Key Vault returned no deleted secret');
    return toDeletedSecret(deleted);
  }

  async getDeleted(name: string): Promise<DeletedSecretResponse> {
    return toDeletedSecret(await vaultCall(this.deletedSubject(name), () => this.deps.client.getDeletedSecret(name)));
  }

  async recover(name: string): Promise<Omit<SecretResponse, 'value'>> {
    // Checked first: the SDK's recover poller treats an existing secret as "already recovered".
    await this.getDeleted(name);
    const poller = await vaultCall(this.deletedSubject(name), () => whenSettled(() => this.deps.client.beginRecoverDeletedSecret(name)));
    await vaultCall(this.subject(name), () => settle(poller));
    const recovered = poller.getOperationState().result;
    if (!recovered) throw new Error('Key Vault returned no recovered secret');
    return toSecretSummary(recovered);
  }

  async purge(name: string): Promise<void> {
    await vaultCall(this.deletedSubject(name), () => whenSettled(() => this.deps.client.purgeDeletedSecret(name)));
  }

  /** Idempotency records are kept per vault: the default vault's keep their unscoped keys. */
  private scopePrefix(): string {
    const alias = this.deps.vaultAlias;
    return alias && alias !== DEFAULT_VAULT ? `vaults/${alias}/` : '';
  }

  /**
   * Whether the secret exists (a deleted one does not) and, when `needVersion`, its latest
   * version. One read in the common case; a disabled latest version cannot be read, so then the
   * version comes from the versions' properties (newest by creation time).
   */
  private async currentVersion(name: string, needVersion: boolean): Promise<{ exists: boolean; version?: string }> {
    try {
      const secret = await this.deps.client.getSecret(name);
      return { exists: true, version: secret.properties.version };
    } catch (error) {
      if (isNotFound(error)) return { exists: false };
      if (!isDisabled(error)) throw vaultProblem(error, this.subject(name)) ?? error;
    }
    if (!needVersion) return { exists: true };
    let latest: { version?: string; createdOn?: Date } | undefined;
    for await (const properties of this.deps.client.listPropertiesOfSecretVersions(name)) {
      if (!latest || (properties.createdOn ?? new Date(0)) >= (latest.createdOn ?? new Date(0))) latest = properties;
    }
    return { exists: true, version: latest?.version };
  }
}
