import { errorBodySchema } from '../platform/apiSchemas.js';
import { etagOf } from '../platform/conditional.js';
import { getPublicKey, keyNameParams, keySchema, keyVersionParams } from '../keys/keys.js';
import { defineEndpoint } from './endpoint.js';

const responses = {
  200: { description: 'The public key and its properties.', schema: keySchema, headers: { ETag: 'The version, quoted.' } },
  404: { description: 'No such key or version.', schema: errorBodySchema },
};

export const getKey = defineEndpoint({
  summary: "Get the latest version of a key as a public JWK (e.g. a certificate's key)",
  tag: 'Keys',
  permission: 'read',
  params: keyNameParams,
  responses,
  handle: async ({ services, params }) => {
    const key = await getPublicKey(await services.vault.keys(), params.name);
    return { status: 200, body: key, headers: { etag: etagOf(key.version) } };
  },
});

export const getKeyVersion = defineEndpoint({
  summary: 'Get one version of a key as a public JWK',
  tag: 'Keys',
  permission: 'read',
  params: keyVersionParams,
  responses,
  handle: async ({ services, params }) => {
    const key = await getPublicKey(await services.vault.keys(), params.name, params.version);
    return { status: 200, body: key, headers: { etag: etagOf(key.version) } };
  },
});
