// The browsable API reference: Swagger UI (swagger-ui-dist) served from the app itself, pointed
// at the generated document. Only a fixed list of its files is served.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where swagger-ui-dist is installed: resolved on the first request for the page. */
let swaggerUiDir: string | undefined;

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// Kept out of the HTML so that the page runs under a CSP without inline scripts.
const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: window.location.pathname.slice(0, window.location.pathname.lastIndexOf('/docs')) + '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Key Vault Functions API</title>
  <link rel="icon" type="image/png" href="docs/favicon-32x32.png">
  <link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/swagger-ui-standalone-preset.js"></script>
  <script src="docs/init.js"></script>
</body>
</html>
`;

export interface StaticFile {
  body: string | Buffer;
  contentType: string;
}

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:";

/** `asset` undefined: the page itself. Unknown assets: undefined (404). */
export async function docsFile(asset: string | undefined): Promise<StaticFile | undefined> {
  if (!asset) return { body: PAGE, contentType: 'text/html; charset=utf-8' };
  if (asset === 'init.js') return { body: INIT_SCRIPT, contentType: 'text/javascript; charset=utf-8' };
  const contentType = ASSETS[asset];
  if (!contentType) return undefined;
  swaggerUiDir ??= path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return { body: await readFile(path.join(swaggerUiDir, asset)), contentType };
}
