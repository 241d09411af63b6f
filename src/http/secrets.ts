import { errorBodySchema, purgeRefused } from '../platform/apiSchemas.js';
import { etagOf, preconditionsOf } from '../platform/conditional.js';
import { pageResponse } from '../platform/paging.js';
import { problems } from '../platform/problems.js';
import { vaultCall } from '../platform/vaultFailures.js';
import {
  conditionalHeaders,
  deletedSecretPageSchema,
  deletedSecretSchema,
  listQuery,
  MAX_SECRET_VALUE_BYTES,
  secretNameParams,
  secretPageSchema,
  secretSchema,
  secretVersionParams,
  setSecretBody,
  setSecretQuery,
  updateSecretBody,
} from '../secrets/schemas.js';
import { defineEndpoint, type EndpointResult } from './endpoint.js';

const TAG = 'Secrets';
// Every secrets response may describe or carry a value: never cached anywhere.
const noStore = { 'cache-control': 'no-store' };
const etag = { ETag: 'The current version, quoted.' };
const ifMatchOnly = conditionalHeaders.pick({ 'If-Match': true });
const secretWithoutValue = secretSchema.omit({ value: true });

function ok(body: unknown, version?: string, status = 200): EndpointResult {
  return { status, body, headers: { ...noStore, ...(version ? { etag: etagOf(version) } : {}) } };
}

export const listSecrets = defineEndpoint({
  summary: 'List secrets (properties only, latest version of each)',
  tag: TAG,
  permission: 'read',
  query: listQuery,
  responses: { 200: { description: 'A page of secrets.', schema: secretPageSchema } },
  handle: async ({ services, requestUrl, query }) => pageResponse(requestUrl, query, await services.secrets.list(query.maxPageSize, query.continuationToken)),
});

export const setSecret = defineEndpoint({
  summary: 'Set a secret value (creates the secret or adds a version)',
  tag: TAG,
  permission: 'write',
  params: secretNameParams,
  query: setSecretQuery,
  headers: conditionalHeaders,
  body: { schema: setSecretBody, required: true, maxBytes: MAX_SECRET_VALUE_BYTES * 2 + 8 * 1024 },
  responses: {
    200: { description: 'A new version of an existing secret.', schema: secretSchema, headers: etag },
    201: { description: 'A new secret.', schema: secretSchema, headers: { ...etag, Location: 'The new version.' } },
    409: { description: 'The name belongs to a deleted secret: recover or purge it first.', schema: errorBodySchema },
    412: { description: 'If-Match / If-None-Match not satisfied.', schema: errorBodySchema },
    413: { description: 'The body is too large.', schema: errorBodySchema },
    422: { description: 'The Idempotency-Key was used with a different request.', schema: errorBodySchema },
  },
  handle: async ({ services, request, params, query, body, apiBase }) => {
    const { secret, created } = await services.secrets.set(params.name, body!, preconditionsOf(request), request.headers.get('idempotency-key') ?? undefined);
    const { value: _value, ...withoutValue } = secret;
    const result = ok(query.returnValue === 'true' ? secret : withoutValue, secret.version, created ? 201 : 200);
    if (created) result.headers!.location = `${apiBase}/secrets/${params.name}/versions/${secret.version}`;
    return result;
  },
});

export const getSecret = defineEndpoint({
  summary: 'Get the latest version of a secret, with its value',
  tag: TAG,
  permission: 'readValue',
  params: secretNameParams,
  responses: { 200: { description: 'The secret.', schema: secretSchema, headers: etag }, 404: { description: 'No such secret.', schema: errorBodySchema } },
  handle: async ({ services, params }) => {
    const secret = await services.secrets.get(params.name);
    return ok(secret, secret.version);
  },
});

export const getSecretVersion = defineEndpoint({
  summary: 'Get one version of a secret, with its value',
  tag: TAG,
  permission: 'readValue',
  params: secretVersionParams,
  responses: { 200: { description: 'The secret version.', schema: secretSchema, headers: etag }, 404: { description: 'No such secret or version.', schema: errorBodySchema } },
  handle: async ({ services, params }) => {
    const secret = await services.secrets.get(params.name, params.version);
    return ok(secret, secret.version);
  },
});

export const listSecretVersions = defineEndpoint({
  summary: 'List the versions of a secret (properties only)',
  tag: TAG,
  permission: 'read',
  params: secretNameParams,
  query: listQuery,
  responses: { 200: { description: 'A page of versions; empty for an unknown name.', schema: secretPageSchema } },
  handle: async ({ services, requestUrl, params, query }) =>
    pageResponse(requestUrl, query, await services.secrets.listVersions(params.name, query.maxPageSize, query.continuationToken)),
});

const updateResponses = {
  200: { description: 'The updated properties.', schema: secretWithoutValue, headers: etag },
  404: { description: 'No such secret or version.', schema: errorBodySchema },
  412: { description: 'If-Match not satisfied.', schema: errorBodySchema },
};

export const updateSecret = defineEndpoint({
  summary: 'Update the properties of the latest version',
  tag: TAG,
  permission: 'write',
  params: secretNameParams,
  headers: ifMatchOnly,
  body: { schema: updateSecretBody, required: true },
  responses: updateResponses,
  handle: async ({ services, request, params, body }) => {
    const secret = await services.secrets.update(params.name, undefined, body!, preconditionsOf(request));
    return ok(secret, secret.version);
  },
});

export const updateSecretVersion = defineEndpoint({
  summary: 'Update the properties of one version',
  tag: TAG,
  permission: 'write',
  params: secretVersionParams,
  headers: ifMatchOnly,
  body: { schema: updateSecretBody, required: true },
  responses: updateResponses,
  handle: async ({ services, request, params, body }) => {
    const secret = await services.secrets.update(params.name, params.version, body!, preconditionsOf(request));
    return ok(secret, secret.version);
  },
});

export const deleteSecret = defineEndpoint({
  summary: 'Soft-delete a secret (all versions); it can be recovered until its purge date',
  tag: TAG,
  permission: 'write',
  params: secretNameParams,
  headers: ifMatchOnly,
  responses: {
    200: { description: 'The deleted secret, with recoveryId and scheduledPurgeDate.', schema: deletedSecretSchema },
    404: { description: 'No such secret.', schema: errorBodySchema },
    412: { description: 'If-Match not satisfied.', schema: errorBodySchema },
  },
  handle: async ({ services, request, params }) => ok(await services.secrets.delete(params.name, preconditionsOf(request))),
});

export const listDeletedSecrets = defineEndpoint({
  summary: 'List deleted secrets',
  tag: TAG,
  permission: 'read',
  query: listQuery,
  responses: { 200: { description: 'A page of deleted secrets.', schema: deletedSecretPageSchema } },
  handle: async ({ services, requestUrl, query }) => pageResponse(requestUrl, query, await services.secrets.listDeleted(query.maxPageSize, query.continuationToken)),
});

export const getDeletedSecret = defineEndpoint({
  summary: 'Get a deleted secret',
  tag: TAG,
  permission: 'read',
  params: secretNameParams,
  responses: { 200: { description: 'The deleted secret.', schema: deletedSecretSchema }, 404: { description: 'No such deleted secret.', schema: errorBodySchema } },
  handle: async ({ services, params }) => ok(await services.secrets.getDeleted(params.name)),
});

export const recoverDeletedSecret = defineEndpoint({
  summary: 'Recover a deleted secret with all its versions',
  tag: TAG,
  permission: 'write',
  params: secretNameParams,
  responses: { 200: { description: 'The recovered secret.', schema: secretWithoutValue }, 404: { description: 'No such deleted secret.', schema: errorBodySchema } },
  handle: async ({ services, params }) => {
    const secret = await services.secrets.recover(params.name);
    return ok(secret, secret.version);
  },
});

export const purgeDeletedSecret = defineEndpoint({
  summary: 'Purge a deleted secret for good',
  tag: TAG,
  permission: 'purge',
  params: secretNameParams,
  responses: {
    204: { description: 'Purged.' },
    403: purgeRefused,
    404: { description: 'No such deleted secret.', schema: errorBodySchema },
  },
  handle: async ({ services, params }) => {
    await services.secrets.purge(params.name);
    return { status: 204, headers: noStore };
  },
});

export const rotateSecret = defineEndpoint({
  summary: "Rotate now: a new version from the secret's rotation-generator tag (default random:length=32)",
  tag: TAG,
  permission: 'write',
  params: secretNameParams,
  responses: {
    200: { description: 'The new version (properties only).', schema: secretWithoutValue, headers: etag },
    404: { description: 'No such secret.', schema: errorBodySchema },
    409: { description: 'The rotation could not go ahead; the message says why.', schema: errorBodySchema },
  },
  handle: async ({ services, params, context }) => {
    const outcome = await vaultCall({ kind: 'Secret', name: params.name, vault: services.vaultAlias }, async () =>
      (await services.rotation((line) => context.log(line))).rotateNow(params.name),
    );
    if (outcome.status !== 'rotated') throw problems.rotationFailed(params.name, outcome.reason);
    const { value: _value, ...secret } = await services.secrets.get(params.name, outcome.version);
    return ok(secret, secret.version);
  },
});
