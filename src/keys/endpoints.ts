import { errorBodySchema } from '../platform/apiSchemas.js';
import { getConfig } from '../platform/config.js';
import { etagOf } from '../platform/conditional.js';
import { defineEndpoint } from '../platform/endpoint.js';
import { getVaultClients } from '../platform/vault.js';
import { getPublicKey, keyNameParams, keySchema, keyVersionParams } from './keys.js';

const responses = {
  200: { description: 'The public key and its properties.', schema: keySchema, headers: { ETag: 'The version, quoted.' } },
  404: { description: 'No such key or version.', schema: errorBodySchema },
};

export const getKey = defineEndpoint({
  functionName: 'keysGet',
  method: 'GET',
  route: 'keys/{name}',
  summary: "Get the latest version of a key as a public JWK (e.g. a certificate's key)",
  tag: 'Keys',
  permission: 'read',
  params: keyNameParams,
  responses,
  handle: async ({ params }) => {
    const key = await getPublicKey(getVaultClients(getConfig()).keys, params.name);
    return { status: 200, body: key, headers: { etag: etagOf(key.version) } };
  },
});

export const getKeyVersion = defineEndpoint({
  functionName: 'keyVersionGet',
  method: 'GET',
  route: 'keys/{name}/versions/{version}',
  summary: 'Get one version of a key as a public JWK',
  tag: 'Keys',
  permission: 'read',
  params: keyVersionParams,
  responses,
  handle: async ({ params }) => {
    const key = await getPublicKey(getVaultClients(getConfig()).keys, params.name, params.version);
    return { status: 200, body: key, headers: { etag: etagOf(key.version) } };
  },
});

export const keyEndpoints = [getKey, getKeyVersion];
