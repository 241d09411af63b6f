import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { registeredEndpoints } from '../http/app.js';
import { openApiRoute } from '../http/endpoint.js';

type OpenAPIObject = ReturnType<OpenApiGeneratorV31['generateDocument']>;

let document: OpenAPIObject | undefined;

/**
 * The OpenAPI 3.1 document of the functions the app registered, generated from the same schemas
 * that validate requests. Built on first request, when every function file has been loaded.
 */
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
  for (const { endpoint, ...registration } of registeredEndpoints()) registry.registerPath(openApiRoute(endpoint, registration));
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
