import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { certificateEndpoints } from '../certificates/endpoints.js';
import { keyEndpoints } from '../keys/endpoints.js';
import { openApiRoute, type Endpoint } from '../platform/endpoint.js';
import { deepHealthEndpoint, healthEndpoint } from '../platform/health.js';
import { secretEndpoints } from '../secrets/endpoints.js';

/** Every endpoint of the API, in the order the document lists them. */
export const allEndpoints: Endpoint[] = [...secretEndpoints, ...certificateEndpoints, ...keyEndpoints, healthEndpoint, deepHealthEndpoint] as Endpoint[];

type OpenAPIObject = ReturnType<OpenApiGeneratorV31['generateDocument']>;

let document: OpenAPIObject | undefined;

/** The OpenAPI 3.1 document, generated from the same schemas that validate requests. */
export function openApiDocument(serverUrl: string): OpenAPIObject {
  document ??= generate();
  return { ...document, servers: [{ url: serverUrl }] };
}

function generate(): OpenAPIObject {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'functionKey', {
    type: 'apiKey',
    in: 'header',
    name: 'x-functions-key',
    description: 'A function key (or the master key); `?code=` in the query works too.',
  });
  for (const endpoint of allEndpoints) registry.registerPath(openApiRoute(endpoint));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Key Vault Functions API',
      version: '1.0.0',
      description:
        'Manage Azure Key Vault secrets and certificates through an Azure Functions app using its managed identity. ' +
        'Errors are `{"error":{"code","message","target?"}}` with the code also in `x-ms-error-code`.',
    },
  });
}
