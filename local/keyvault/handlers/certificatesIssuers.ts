// Certificate issuers and contacts. `Self` and `Unknown` are built in and need
// no registration; registered issuers are side records of the vault. Issuer passwords are kept
// but never echoed.
import { z } from 'zod';
import type { HandlerResult, RequestContext } from '../context.js';
import { errors } from '../errors.js';
import { objectId } from '../ids.js';
import { nextLink, readPageRequest } from '../paging.js';
import type { StoredObject } from '../store/types.js';
import { parseBody, validateName } from '../validation.js';
import { SELF_ISSUER, UNKNOWN_ISSUER } from '../crypto/policyTypes.js';

export const ISSUER_KIND = 'certificate-issuer';
/** Provider name of a test issuer whose operations fail (lets clients exercise the `failed` path). */
export const FAILING_PROVIDER = 'EmulatorFailure';
export const CONTACTS_KIND = 'certificate-contacts';
const CONTACTS_NAME = 'contacts';

const adminDetails = z.object({
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
});

const issuerFields = {
  credentials: z.object({ account_id: z.string().nullish(), pwd: z.string().nullish() }).nullish(),
  org_details: z.object({ id: z.string().nullish(), admin_details: z.array(adminDetails).nullish() }).nullish(),
  attributes: z.object({ enabled: z.boolean().nullish() }).passthrough().nullish(),
};
const createIssuerBody = z.object({ provider: z.string().min(1), ...issuerFields });
const updateIssuerBody = z.object({ provider: z.string().min(1).nullish(), ...issuerFields });

export interface IssuerMeta {
  provider: string;
  credentials?: { account_id?: string; pwd?: string };
  org_details?: { id?: string; admin_details?: Array<Record<string, string>> };
  enabled: boolean;
  created: number;
  updated: number;
}

type Issuer = StoredObject<unknown, IssuerMeta>;

function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}

function issuerId(ctx: RequestContext, name: string): string {
  return objectId(ctx, 'certificates', `issuers/${name}`);
}

function issuerBundle(ctx: RequestContext, issuer: Issuer): Record<string, unknown> {
  const meta = issuer.meta!;
  const out: Record<string, unknown> = { id: issuerId(ctx, issuer.name), provider: meta.provider };
  if (meta.credentials?.account_id !== undefined) out['credentials'] = { account_id: meta.credentials.account_id };
  if (meta.org_details) out['org_details'] = meta.org_details;
  out['attributes'] = { enabled: meta.enabled, created: meta.created, updated: meta.updated };
  return out;
}

function issuerName(ctx: RequestContext): string {
  const name = validateName(ctx.params['issuerName'] ?? '');
  if ([SELF_ISSUER, UNKNOWN_ISSUER].some((builtIn) => builtIn.toLowerCase() === name.toLowerCase())) {
    throw errors.badParameter(`Issuer name ${name} is reserved: Self and Unknown are built-in issuers.`);
  }
  return name;
}

function orgDetails(value: z.infer<typeof createIssuerBody>['org_details']): IssuerMeta['org_details'] | undefined {
  if (!value) return undefined;
  return compact({ id: value.id ?? undefined, admin_details: value.admin_details?.map((d) => compact(d) as Record<string, string>) });
}

export async function setIssuer(ctx: RequestContext): Promise<HandlerResult> {
  const name = issuerName(ctx);
  const body = parseBody(ctx, createIssuerBody);
  const now = ctx.now();
  return ctx.store.transaction(ctx.vault, (tx) => {
    const existing = tx.get<unknown, IssuerMeta>(ISSUER_KIND, name);
    const meta: IssuerMeta = compact({
      provider: body.provider,
      credentials: body.credentials ? compact({ account_id: body.credentials.account_id ?? undefined, pwd: body.credentials.pwd ?? undefined }) : undefined,
      org_details: orgDetails(body.org_details),
      enabled: body.attributes?.enabled ?? true,
      created: existing?.meta?.created ?? now,
      updated: now,
    });
    const issuer: Issuer = { kind: ISSUER_KIND, name: existing?.name ?? name, versions: [], meta };
    tx.put(issuer);
    return { body: issuerBundle(ctx, issuer) };
  });
}

export async function updateIssuer(ctx: RequestContext): Promise<HandlerResult> {
  const name = issuerName(ctx);
  const body = parseBody(ctx, updateIssuerBody);
  return ctx.store.transaction(ctx.vault, (tx) => {
    const existing = tx.get<unknown, IssuerMeta>(ISSUER_KIND, name);
    if (!existing?.meta) throw errors.issuerNotFound();
    const meta: IssuerMeta = { ...existing.meta, updated: ctx.now() };
    if (body.provider) meta.provider = body.provider;
    if (body.credentials) {
      meta.credentials = compact({ ...meta.credentials, ...compact({ account_id: body.credentials.account_id ?? undefined, pwd: body.credentials.pwd ?? undefined }) });
    }
    const details = orgDetails(body.org_details);
    if (details) meta.org_details = details;
    if (body.attributes?.enabled !== undefined && body.attributes.enabled !== null) meta.enabled = body.attributes.enabled;
    const issuer: Issuer = { ...existing, meta };
    tx.put(issuer);
    return { body: issuerBundle(ctx, issuer) };
  });
}

export async function getIssuer(ctx: RequestContext): Promise<HandlerResult> {
  const name = issuerName(ctx);
  const issuer = ctx.store.get<unknown, IssuerMeta>(ctx.vault, ISSUER_KIND, name);
  if (!issuer?.meta) throw errors.issuerNotFound();
  return { body: issuerBundle(ctx, issuer) };
}

export async function deleteIssuer(ctx: RequestContext): Promise<HandlerResult> {
  const name = issuerName(ctx);
  return ctx.store.transaction(ctx.vault, (tx) => {
    const issuer = tx.get<unknown, IssuerMeta>(ISSUER_KIND, name);
    if (!issuer?.meta) throw errors.issuerNotFound();
    tx.remove(ISSUER_KIND, issuer.name);
    return { body: issuerBundle(ctx, issuer) };
  });
}

export async function listIssuers(ctx: RequestContext): Promise<HandlerResult> {
  const page = readPageRequest(ctx);
  const result = ctx.store.list<unknown, IssuerMeta>(ctx.vault, ISSUER_KIND, { deleted: false, after: page.after, limit: page.limit });
  return {
    body: {
      value: result.items.map((issuer) => ({ id: issuerId(ctx, issuer.name), provider: issuer.meta?.provider })),
      nextLink: nextLink(ctx, '/certificates/issuers', page, result.continuation),
    },
  };
}

const contactsBody = z.object({
  contacts: z.array(z.object({ email: z.string().min(1), name: z.string().nullish(), phone: z.string().nullish() })),
});

interface ContactsMeta {
  contacts: Array<{ email: string; name?: string; phone?: string }>;
}

function contactsBundle(ctx: RequestContext, meta: ContactsMeta): Record<string, unknown> {
  return { id: objectId(ctx, 'certificates', CONTACTS_NAME), contacts: meta.contacts };
}

export async function setContacts(ctx: RequestContext): Promise<HandlerResult> {
  const body = parseBody(ctx, contactsBody);
  const meta: ContactsMeta = {
    contacts: body.contacts.map((c) => compact({ email: c.email, name: c.name ?? undefined, phone: c.phone ?? undefined })),
  };
  await ctx.store.transaction(ctx.vault, (tx) => tx.put({ kind: CONTACTS_KIND, name: CONTACTS_NAME, versions: [], meta }));
  return { body: contactsBundle(ctx, meta) };
}

export async function getContacts(ctx: RequestContext): Promise<HandlerResult> {
  const stored = ctx.store.get<unknown, ContactsMeta>(ctx.vault, CONTACTS_KIND, CONTACTS_NAME);
  if (!stored?.meta) throw errors.contactsNotFound();
  return { body: contactsBundle(ctx, stored.meta) };
}

export async function deleteContacts(ctx: RequestContext): Promise<HandlerResult> {
  return ctx.store.transaction(ctx.vault, (tx) => {
    const stored = tx.get<unknown, ContactsMeta>(CONTACTS_KIND, CONTACTS_NAME);
    if (!stored?.meta) throw errors.contactsNotFound();
    tx.remove(CONTACTS_KIND, CONTACTS_NAME);
    return { body: contactsBundle(ctx, stored.meta) };
  });
}
