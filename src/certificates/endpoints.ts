import { z } from 'zod';
import { errorBodySchema } from '../platform/apiSchemas.js';
import { defineEndpoint, type EndpointResult } from '../platform/endpoint.js';
import { pageResponse } from '../platform/paging.js';
import { operationSchema } from '../operations/model.js';
import type { StoredOperation } from '../operations/store.js';
import { getCertificatesService } from './index.js';
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
} from './schemas.js';

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
  const { progress: _progress, ...publicOperation } = operation;
  return {
    status: 202,
    body: publicOperation,
    headers: { 'operation-location': `${apiBase}/operations/${operation.id}`, 'retry-after': '2', 'cache-control': 'no-store' },
  };
}

export const listCertificates = defineEndpoint({
  functionName: 'certificatesList',
  method: 'GET',
  route: 'certificates',
  summary: 'List certificates (latest version of each)',
  tag: TAG,
  permission: 'read',
  query: certificateListQuery,
  responses: { 200: { description: 'A page of certificates.', schema: certificatePageSchema } },
  handle: async ({ request, query }) =>
    pageResponse(request, query, await getCertificatesService().list(query.maxPageSize, query.continuationToken, query.includePending === 'true')),
});

export const createCertificate = defineEndpoint({
  functionName: 'certificatesCreate',
  method: 'PUT',
  route: 'certificates/{name}',
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
  handle: async ({ apiBase, params, body }) => acceptedOperation(apiBase, (await getCertificatesService().create(params.name, body ?? {})).operation),
});

export const getCertificate = defineEndpoint({
  functionName: 'certificatesGet',
  method: 'GET',
  route: 'certificates/{name}',
  summary: 'Get the latest version: properties, policy, CER and PEM (never the private key)',
  tag: TAG,
  permission: 'read',
  params: certificateNameParams,
  responses: { 200: { description: 'The certificate.', schema: certificateSchema }, 404: notFound },
  handle: async ({ params }) => ok(await getCertificatesService().get(params.name)),
});

export const getCertificateVersion = defineEndpoint({
  functionName: 'certificateVersionGet',
  method: 'GET',
  route: 'certificates/{name}/versions/{version}',
  summary: 'Get one version of a certificate',
  tag: TAG,
  permission: 'read',
  params: certificateVersionParams,
  responses: { 200: { description: 'The certificate version.', schema: certificateSchema }, 404: notFound },
  handle: async ({ params }) => ok(await getCertificatesService().get(params.name, params.version)),
});

export const listCertificateVersions = defineEndpoint({
  functionName: 'certificateVersionsList',
  method: 'GET',
  route: 'certificates/{name}/versions',
  summary: 'List the versions of a certificate',
  tag: TAG,
  permission: 'read',
  params: certificateNameParams,
  query: listQuery,
  responses: { 200: { description: 'A page of versions.', schema: certificatePageSchema } },
  handle: async ({ request, params, query }) => pageResponse(request, query, await getCertificatesService().listVersions(params.name, query.maxPageSize, query.continuationToken)),
});

export const updateCertificate = defineEndpoint({
  functionName: 'certificatesUpdate',
  method: 'PATCH',
  route: 'certificates/{name}',
  summary: 'Enable or disable the latest version, or replace its tags',
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  body: { schema: updateCertificateBody, required: true },
  responses: { 200: { description: 'The updated certificate.', schema: certificateSchema }, 404: notFound },
  handle: async ({ params, body }) => ok(await getCertificatesService().update(params.name, body!)),
});

export const getCertificatePolicy = defineEndpoint({
  functionName: 'certificatePolicyGet',
  method: 'GET',
  route: 'certificates/{name}/policy',
  summary: "Get a certificate's policy",
  tag: TAG,
  permission: 'read',
  params: certificateNameParams,
  responses: { 200: { description: 'The policy.', schema: certificatePolicySchema }, 404: notFound },
  handle: async ({ params }) => ok(await getCertificatesService().getPolicy(params.name)),
});

export const updateCertificatePolicy = defineEndpoint({
  functionName: 'certificatePolicyUpdate',
  method: 'PATCH',
  route: 'certificates/{name}/policy',
  summary: "Change fields of a certificate's policy (used by the next version)",
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  body: { schema: certificatePolicySchema, required: true },
  responses: { 200: { description: 'The policy after the change.', schema: certificatePolicySchema }, 404: notFound },
  handle: async ({ params, body }) => ok(await getCertificatesService().updatePolicy(params.name, body!)),
});

export const importCertificate = defineEndpoint({
  functionName: 'certificatesImport',
  method: 'POST',
  route: 'certificates/{name}/import',
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
  handle: async ({ params, body }) => ok(await getCertificatesService().import(params.name, body!), 201),
});

export const renewCertificate = defineEndpoint({
  functionName: 'certificatesRenew',
  method: 'POST',
  route: 'certificates/{name}/renew',
  summary: 'Create a new version with the current policy; runs as an operation',
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  responses: { 202: accepted, 404: notFound, 409: { description: 'Another operation runs on this certificate.', schema: errorBodySchema } },
  handle: async ({ apiBase, params }) => acceptedOperation(apiBase, (await getCertificatesService().renew(params.name)).operation),
});

export const getPendingOperation = defineEndpoint({
  functionName: 'certificatePendingGet',
  method: 'GET',
  route: 'certificates/{name}/pending',
  summary: "Key Vault's pending operation for a certificate (status, CSR)",
  tag: TAG,
  permission: 'read',
  params: certificateNameParams,
  responses: { 200: { description: 'The pending operation.', schema: pendingOperationSchema }, 404: { description: 'No pending operation.', schema: errorBodySchema } },
  handle: async ({ params }) => ok(await getCertificatesService().getPending(params.name)),
});

export const cancelPendingOperation = defineEndpoint({
  functionName: 'certificatePendingCancel',
  method: 'DELETE',
  route: 'certificates/{name}/pending',
  summary: "Cancel Key Vault's pending operation",
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  responses: { 200: { description: 'Cancellation requested.', schema: pendingOperationSchema }, 404: { description: 'No pending operation.', schema: errorBodySchema } },
  handle: async ({ params }) => ok(await getCertificatesService().cancelPending(params.name)),
});

export const deleteCertificate = defineEndpoint({
  functionName: 'certificatesDelete',
  method: 'DELETE',
  route: 'certificates/{name}',
  summary: 'Soft-delete a certificate (with its key and secret); runs as an operation',
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  responses: { 202: accepted, 404: notFound, 409: { description: 'Another operation runs on this certificate.', schema: errorBodySchema } },
  handle: async ({ apiBase, params }) => acceptedOperation(apiBase, (await getCertificatesService().delete(params.name)).operation),
});

export const listDeletedCertificates = defineEndpoint({
  functionName: 'deletedCertificatesList',
  method: 'GET',
  route: 'deleted-certificates',
  summary: 'List deleted certificates',
  tag: TAG,
  permission: 'read',
  query: listQuery,
  responses: { 200: { description: 'A page of deleted certificates.', schema: deletedCertificatePageSchema } },
  handle: async ({ request, query }) => pageResponse(request, query, await getCertificatesService().listDeleted(query.maxPageSize, query.continuationToken)),
});

export const getDeletedCertificate = defineEndpoint({
  functionName: 'deletedCertificatesGet',
  method: 'GET',
  route: 'deleted-certificates/{name}',
  summary: 'Get a deleted certificate',
  tag: TAG,
  permission: 'read',
  params: certificateNameParams,
  responses: { 200: { description: 'The deleted certificate.', schema: deletedCertificateSchema }, 404: { description: 'No such deleted certificate.', schema: errorBodySchema } },
  handle: async ({ params }) => ok(await getCertificatesService().getDeleted(params.name)),
});

export const recoverDeletedCertificate = defineEndpoint({
  functionName: 'deletedCertificatesRecover',
  method: 'POST',
  route: 'deleted-certificates/{name}/recover',
  summary: 'Recover a deleted certificate; runs as an operation',
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  responses: { 202: accepted, 404: { description: 'No such deleted certificate.', schema: errorBodySchema } },
  handle: async ({ apiBase, params }) => acceptedOperation(apiBase, (await getCertificatesService().recover(params.name)).operation),
});

export const purgeDeletedCertificate = defineEndpoint({
  functionName: 'deletedCertificatesPurge',
  method: 'DELETE',
  route: 'deleted-certificates/{name}',
  summary: 'Purge a deleted certificate for good',
  tag: TAG,
  permission: 'write',
  params: certificateNameParams,
  responses: { 204: { description: 'Purged.' }, 404: { description: 'No such deleted certificate.', schema: errorBodySchema } },
  handle: async ({ params }) => {
    await getCertificatesService().purge(params.name);
    return { status: 204 };
  },
});

export const getOperation = defineEndpoint({
  functionName: 'operationsGet',
  method: 'GET',
  route: 'operations/{id}',
  summary: 'Status of an operation (certificate create, renew, delete, recover)',
  tag: 'Operations',
  permission: 'read',
  params: z.object({ id: z.uuid() }),
  responses: { 200: { description: 'The operation.', schema: operationSchema }, 404: { description: 'No such operation.', schema: errorBodySchema } },
  handle: async ({ params }) => {
    const { progress: _progress, ...operation } = await getCertificatesService().getOperation(params.id);
    const running = operation.status === 'NotStarted' || operation.status === 'Running';
    return { status: 200, body: operation, headers: { 'cache-control': 'no-store', ...(running ? { 'retry-after': '2' } : {}) } };
  },
});

export const certificateEndpoints = [
  listCertificates,
  createCertificate,
  getCertificate,
  getCertificateVersion,
  listCertificateVersions,
  updateCertificate,
  getCertificatePolicy,
  updateCertificatePolicy,
  importCertificate,
  renewCertificate,
  getPendingOperation,
  cancelPendingOperation,
  deleteCertificate,
  listDeletedCertificates,
  getDeletedCertificate,
  recoverDeletedCertificate,
  purgeDeletedCertificate,
  getOperation,
];
