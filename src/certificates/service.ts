import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { CertificateClient, CertificatePolicy, ImportCertificatePolicy } from '@azure/keyvault-certificates';
import type { JobRequest } from '../jobs/message.js';
import { startOperation, type OperationsDeps } from '../operations/lifecycle.js';
import { DEFAULT_VAULT } from '../platform/config.js';
import type { StoredOperation } from '../operations/model.js';
import { readApiPage, type ApiPage } from '../platform/paging.js';
import { Problem, problems, type Subject } from '../platform/problems.js';
import { vaultCall, vaultProblem } from '../platform/vaultFailures.js';
import { whenSettled } from '../platform/vaultSettling.js';
import { toCertificate, toCertificateSummary, toDeletedCertificate, toPendingOperation, toPolicy } from './mapping.js';
import type { CertificatePolicyInput, CertificateResponse, CertificateSummary, DeletedCertificateResponse, PendingOperationResponse } from './schemas.js';

export interface CertificatesDeps {
  client: CertificateClient;
  vaultUrl: string;
  /** The vault's alias: operations and their jobs name it, so the worker uses this vault. */
  vaultAlias: string;
  operations: OperationsDeps;
}

/** Self-signed, CN=<name>; everything else as Key Vault fills it in (RSA 2048, 12 months, PFX). */
export const defaultPolicy = (name: string): CertificatePolicyInput => ({ issuerName: 'Self', subject: `CN=${name}` });

/** The certificates operations of the API. Long work (create, delete, renew, recover) becomes a job. */
export class CertificatesService {
  constructor(private readonly deps: CertificatesDeps) {}

  /** The certificate `name` in this vault, as problems name it (their messages give this vault's routes). */
  private subject(name: string): Subject {
    return { kind: 'Certificate', name, vault: this.deps.vaultAlias };
  }

  private deletedSubject(name: string): Subject {
    return { ...this.subject(name), deleted: true };
  }

  async create(name: string, input: { policy?: CertificatePolicyInput; tags?: Record<string, string>; enabled?: boolean }) {
    await this.refuseIfDeleted(name);
    return this.startJob({ kind: 'certificate.create', name, policy: input.policy ?? defaultPolicy(name), tags: input.tags, enabled: input.enabled });
  }

  /** A renewal as the timer starts it: a job that could not be queued leaves a Failed operation. */
  async beginRenewal(name: string): Promise<{ operation: StoredOperation; created: boolean }> {
    const current = await this.get(name);
    // A new version with the current policy keeps the tags and enabled state of the latest one.
    return this.startOperation({ kind: 'certificate.renew', name, tags: current.properties.tags, enabled: current.properties.enabled });
  }

  async renew(name: string) {
    return accepted(await this.beginRenewal(name));
  }

  async delete(name: string) {
    await vaultCall(this.subject(name), () => this.deps.client.getCertificate(name));
    return this.startJob({ kind: 'certificate.delete', name });
  }

  async recover(name: string) {
    await this.getDeleted(name);
    return this.startJob({ kind: 'certificate.recover', name });
  }

  async get(name: string, version?: string): Promise<CertificateResponse> {
    const certificate = await vaultCall(this.subject(name), () => (version ? this.deps.client.getCertificateVersion(name, version) : this.deps.client.getCertificate(name)));
    return toCertificate(certificate);
  }

  async update(name: string, input: { enabled?: boolean; tags?: Record<string, string> }): Promise<CertificateResponse> {
    const updated = await vaultCall(this.subject(name), () => this.deps.client.updateCertificateProperties(name, '', input));
    return toCertificate(updated);
  }

  async getPolicy(name: string): Promise<CertificatePolicyInput> {
    return toPolicy(await vaultCall(this.subject(name), () => this.deps.client.getCertificatePolicy(name)));
  }

  /** Changes only the given fields; the answer is re-read, as the SDK's own answer is empty. */
  async updatePolicy(name: string, changes: CertificatePolicyInput): Promise<CertificatePolicyInput> {
    const current = await vaultCall(this.subject(name), () => this.deps.client.getCertificatePolicy(name));
    const merged = { ...current, ...changes } as CertificatePolicy;
    await vaultCall(this.subject(name), () => this.deps.client.updateCertificatePolicy(name, merged), { explainBadRequest: true });
    return this.getPolicy(name);
  }

  async import(
    name: string,
    input: { certificate: string; password?: string; policy?: CertificatePolicyInput; tags?: Record<string, string>; enabled?: boolean },
  ): Promise<CertificateResponse> {
    await this.refuseIfDeleted(name);
    const { bytes, pem } = parseImportedCertificate(input.certificate);
    const policy = { ...(input.policy ?? {}), ...(pem ? { contentType: 'application/x-pem-file' } : {}) } as ImportCertificatePolicy;
    const imported = await vaultCall(
      this.subject(name),
      () => whenSettled(() => this.deps.client.importCertificate(name, bytes, { password: input.password, policy, tags: input.tags, enabled: input.enabled })),
      { explainBadRequest: true },
    );
    return toCertificate(imported);
  }

  async getPending(name: string): Promise<PendingOperationResponse> {
    const poller = await vaultCall(this.subject(name), () => this.deps.client.getCertificateOperation(name));
    return toPendingOperation(name, poller.getOperationState().certificateOperation!);
  }

  async cancelPending(name: string): Promise<PendingOperationResponse> {
    const poller = await vaultCall(this.subject(name), () => this.deps.client.getCertificateOperation(name));
    await vaultCall(this.subject(name), () => poller.cancelOperation());
    return toPendingOperation(name, poller.getOperationState().certificateOperation!);
  }

  async list(pageSize: number | undefined, continuationToken: string | undefined, includePending: boolean): Promise<ApiPage<CertificateSummary>> {
    const listing = includePending ? 'certificates+pending' : 'certificates';
    const request = { listing, pathPrefix: '/certificates', vaultUrl: this.deps.vaultUrl, pageSize, continuationToken };
    return vaultCall(this.subject('*'), () =>
      readApiPage(request, (link) => this.deps.client.listPropertiesOfCertificates({ includePending }).byPage({ continuationToken: link }), toCertificateSummary),
    );
  }

  async listVersions(name: string, pageSize: number | undefined, continuationToken: string | undefined): Promise<ApiPage<CertificateSummary>> {
    const request = {
      listing: `certificate-versions:${name.toLowerCase()}`,
      pathPrefix: `/certificates/${name}/versions`,
      vaultUrl: this.deps.vaultUrl,
      pageSize,
      continuationToken,
    };
    return vaultCall(this.subject(name), () =>
      readApiPage(request, (link) => this.deps.client.listPropertiesOfCertificateVersions(name).byPage({ continuationToken: link }), toCertificateSummary),
    );
  }

  async listDeleted(pageSize: number | undefined, continuationToken: string | undefined): Promise<ApiPage<DeletedCertificateResponse>> {
    const request = { listing: 'deleted-certificates', pathPrefix: '/deletedcertificates', vaultUrl: this.deps.vaultUrl, pageSize, continuationToken };
    return vaultCall(this.subject('*'), () =>
      readApiPage(request, (link) => this.deps.client.listDeletedCertificates().byPage({ continuationToken: link }), toDeletedCertificate),
    );
  }

  async getDeleted(name: string): Promise<DeletedCertificateResponse> {
    return toDeletedCertificate(await vaultCall(this.deletedSubject(name), () => this.deps.client.getDeletedCertificate(name)));
  }

  async purge(name: string): Promise<void> {
    await vaultCall(this.deletedSubject(name), () => whenSettled(() => this.deps.client.purgeDeletedCertificate(name)));
  }

  /** One active operation per certificate: a repeated request of the same kind gets the running operation back. */
  private async startJob(request: JobRequest): Promise<{ operation: StoredOperation; created: boolean }> {
    return accepted(await this.startOperation(request));
  }

  private startOperation(request: JobRequest): Promise<{ operation: StoredOperation; created: boolean }> {
    // The default vault's jobs carry no alias, as before vaults had aliases.
    const vault = this.deps.vaultAlias === DEFAULT_VAULT ? {} : { vault: this.deps.vaultAlias };
    return startOperation(this.deps.operations, { ...request, ...vault });
  }

  private async refuseIfDeleted(name: string): Promise<void> {
    try {
      await this.deps.client.getDeletedCertificate(name);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return;
      throw vaultProblem(error, this.deletedSubject(name)) ?? error;
    }
    throw problems.deletedButRecoverable(this.subject(name));
  }
}

/** A started operation for a caller: a job that could not be queued is a problem to report. */
function accepted(started: { operation: StoredOperation; created: boolean }) {
  if (started.created && started.operation.status === 'Failed') throw problems.queueUnavailable();
  return started;
}

/**
 * PEM (key and certificates) or base64 PFX. PEM is checked here so that the caller hears what is
 * wrong; a PFX is opened by Key Vault, whose reason is passed on.
 */
export function parseImportedCertificate(text: string): { bytes: Uint8Array; pem: boolean } {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const certificates = trimmed.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const key = trimmed.match(/-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/)?.[0];
    if (certificates.length === 0) throw importError('the PEM text has no CERTIFICATE block');
    if (!key) throw importError('the PEM text has no PRIVATE KEY block');
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(certificates[0]!);
    } catch {
      throw importError('the first CERTIFICATE block is not a valid X.509 certificate');
    }
    try {
      if (!leaf.checkPrivateKey(createPrivateKey(key))) throw importError('the private key does not belong to the first certificate');
    } catch (error) {
      if (error instanceof Problem) throw error;
      throw importError('the PRIVATE KEY block cannot be read (encrypted PEM keys are not supported)');
    }
    return { bytes: Buffer.from(trimmed + '\n', 'utf8'), pem: true };
  }
  const compact = trimmed.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw importError('it is neither PEM text nor base64 (a PFX file must be sent base64-encoded)');
  }
  return { bytes: Buffer.from(compact, 'base64'), pem: false };
}

const importError = (why: string) => problems.invalidCertificate(why);
