import { operationSchema, publicView, type StoredOperation } from '../operations/model.js';
import { errorBodySchema, purgeRefused } from '../platform/apiSchemas.js';
import { pageResponse } from '../platform/paging.js';
import { defineEndpoint, type EndpointResult } from './endpoint.js';
import {
  certificateListQuery,
  certificateNameParams,
  certificatePageSchema,
  certificatePolicySchema,
  certificateSchema,
  certificateVersionParams,
  createCertificateBody,
  deletedCertificatePageSchema,
  deletedCertificateSchema,
  importCertificateBody,
  listQuery,
  pendingOperationSchema,
  updateCertificateBody,
} from '../certificates/schemas.js';

const TAG = 'Certificates';
const notFound = { description: 'No such certificate.', schema: errorBodySchema };
const accepted = {
  description: 'Accepted: poll the operation at Operation-Location.',
  schema: operationSchema,
  headers: { 'Operation-Location': 'URL of the operation resource.', 'Retry-After': 'Seconds to wait before polling.' },
};

function ok(body: unknown, status = 200): EndpointResult {
  return { status, body, headers: { 'cache-control': 'no-store' } };
}

/** 202 with the operation (new, or the one already running for this certificate). */
function acceptedOperation(apiBase: string, operation: StoredOperation): EndpointResult {
  return {
    status: 202,
    body: publicView(operation),
    headers: { 'operation-location': `${apiBase}/operations/${operation.id}`, 'retry-after': '2', 'cache-control': 'no-store' },
  };
}

export const listCertificates = defineEndpoint({
  summary: 'List certificates (latest version of each)',
  tag: TAG,
  permission: 'read',
  query: certificateListQuery,
  responses: { 200: { description: 'A page of certificates.', schema: certificatePageSchema } },
  handle: async ({ services, requestUrl, query }) =>
    pageResponse(requestUrl, query, await services.certificates.list(query.maxPageSize, query.continuationToken, query.includePending === 'true')),
});

export const createCertificate = defineEndpoint({
  summary: 'Create a certificate (or a new version) with a policy; runs as an operation',
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  // Kept well under the 64 KB a queue message may hold, as the policy travels in the job.
  body: { schema: createCertificateBody, required: false, maxBytes: 32 * 1024, description: 'Optional: without a body the default policy is used.' },
  responses: {
    202: accepted,
    409: { description: 'The name belongs to a deleted certificate, or another operation runs on it.', schema: errorBodySchema },
  },
  handle: async ({ services, apiBase, params, body }) => acceptedOperation(apiBase, (await services.certificates.create(params.name, body ?? {})).operation),
});

export const getCertificate = defineEndpoint({
  summary: 'Get the latest version: properties, policy, CER and PEM (never the private key)',
  tag: TAG,
  permission: 'read',
  params: certificateNameParams,
  responses: { 200: { description: 'The certificate.', schema: certificateSchema }, 404: notFound },
  handle: async ({ services, params }) => ok(await services.certificates.get(params.name)),
});

export const getCertificateVersion = defineEndpoint({
  summary: 'Get one version of a certificate',
  tag: TAG,
  permission: 'read',
  params: certificateVersionParams,
  responses: { 200: { description: 'The certificate version.', schema: certificateSchema }, 404: notFound },
  handle: async ({ services, params }) => ok(await services.certificates.get(params.name, params.version)),
});

export const listCertificateVersions = defineEndpoint({
  summary: 'List the versions of a certificate',
  tag: TAG,
  permission: 'read',
  params: certificateNameParams,
  query: listQuery,
  responses: { 200: { description: 'A page of versions.', schema: certificatePageSchema } },
  handle: async ({ services, requestUrl, params, query }) =>
    pageResponse(requestUrl, query, await services.certificates.listVersions(params.name, query.maxPageSize, query.continuationToken)),
});

export const updateCertificate = defineEndpoint({
  summary: 'Enable or disable the latest version, or replace its tags',
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  body: { schema: updateCertificateBody, required: true },
  responses: { 200: { description: 'The updated certificate.', schema: certificateSchema }, 404: notFound },
  handle: async ({ services, params, body }) => ok(await services.certificates.update(params.name, body!)),
});

export const getCertificatePolicy = defineEndpoint({
  summary: "Get a certificate's policy",
  tag: TAG,
  permission: 'read',
  params: certificateNameParams,
  responses: { 200: { description: 'The policy.', schema: certificatePolicySchema }, 404: notFound },
  handle: async ({ services, params }) => ok(await services.certificates.getPolicy(params.name)),
});

export const updateCertificatePolicy = defineEndpoint({
  summary: "Change fields of a certificate's policy (used by the next version)",
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  body: { schema: certificatePolicySchema, required: true },
  responses: { 200: { description: 'The policy after the change.', schema: certificatePolicySchema }, 404: notFound },
  handle: async ({ services, params, body }) => ok(await services.certificates.updatePolicy(params.name, body!)),
});

export const importCertificate = defineEndpoint({
  summary: 'Import a certificate with its private key (PEM text or base64 PFX)',
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  body: { schema: importCertificateBody, required: true, maxBytes: 512 * 1024 },
  responses: {
    201: { description: 'The imported certificate.', schema: certificateSchema },
    400: { description: 'The content cannot be imported; the message says why.', schema: errorBodySchema },
    409: { description: 'The name belongs to a deleted certificate.', schema: errorBodySchema },
  },
  handle: async ({ services, params, body }) => ok(await services.certificates.import(params.name, body!), 201),
});

export const renewCertificate = defineEndpoint({
  summary: 'Create a new version with the current policy; runs as an operation',
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  responses: { 202: accepted, 404: notFound, 409: { description: 'Another operation runs on this certificate.', schema: errorBodySchema } },
  handle: async ({ services, apiBase, params }) => acceptedOperation(apiBase, (await services.certificates.renew(params.name)).operation),
});

export const getPendingOperation = defineEndpoint({
  summary: "Key Vault's pending operation for a certificate (status, CSR)",
  tag: TAG,
  permission: 'read',
  params: certificateNameParams,
  responses: { 200: { description: 'The pending operation.', schema: pendingOperationSchema }, 404: { description: 'No pending operation.', schema: errorBodySchema } },
  handle: async ({ services, params }) => ok(await services.certificates.getPending(params.name)),
});

export const cancelPendingOperation = defineEndpoint({
  summary: "Cancel Key Vault's pending operation",
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  responses: { 200: { description: 'Cancellation requested.', schema: pendingOperationSchema }, 404: { description: 'No pending operation.', schema: errorBodySchema } },
  handle: async ({ services, params }) => ok(await services.certificates.cancelPending(params.name)),
});

export const deleteCertificate = defineEndpoint({
  summary: 'Soft-delete a certificate (with its key and secret); runs as an operation',
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  responses: { 202: accepted, 404: notFound, 409: { description: 'Another operation runs on this certificate.', schema: errorBodySchema } },
  handle: async ({ services, apiBase, params }) => acceptedOperation(apiBase, (await services.certificates.delete(params.name)).operation),
});

export const listDeletedCertificates = defineEndpoint({
  summary: 'List deleted certificates',
  tag: TAG,
  permission: 'read',
  query: listQuery,
  responses: { 200: { description: 'A page of deleted certificates.', schema: deletedCertificatePageSchema } },
  handle: async ({ services, requestUrl, query }) => pageResponse(requestUrl, query, await services.certificates.listDeleted(query.maxPageSize, query.continuationToken)),
});

export const getDeletedCertificate = defineEndpoint({
  summary: 'Get a deleted certificate',
  tag: TAG,
  permission: 'read',
  params: certificateNameParams,
  responses: {
    200: { description: 'The deleted certificate.', schema: deletedCertificateSchema },
    404: { description: 'No such deleted certificate.', schema: errorBodySchema },
  },
  handle: async ({ services, params }) => ok(await services.certificates.getDeleted(params.name)),
});

export const recoverDeletedCertificate = defineEndpoint({
  summary: 'Recover a deleted certificate; runs as an operation',
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  responses: { 202: accepted, 404: { description: 'No such deleted certificate.', schema: errorBodySchema } },
  handle: async ({ services, apiBase, params }) => acceptedOperation(apiBase, (await services.certificates.recover(params.name)).operation),
});

export const purgeDeletedCertificate = defineEndpoint({
  summary: 'Purge a deleted certificate for good',
  tag: TAG,
  permission: 'purge',
  params: certificateNameParams,
  responses: {
    204: { description: 'Purged.' },
    403: purgeRefused,
    404: { description: 'No such deleted certificate.', schema: errorBodySchema },
  },
  handle: async ({ services, params }) => {
    await services.certificates.purge(params.name);
    return { status: 204 };
  },
});
