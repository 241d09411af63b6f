// The inventory dashboard: a static page, its scripts and styles (src/dashboard/browser/) and
// Chart.js's browser build, served by the app itself. None of them holds data: the page fetches
// GET /api/inventory with the caller's key. Only the files listed here are served.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardFile {
  body: Buffer;
  contentType: string;
}

const JS = 'text/javascript; charset=utf-8';

/**
 * Each asset by its name under /api/dashboard/, with its path below the app's root. The paths are
 * the same in the repository and in the packaged artifact (scripts/package.ts copies them).
 */
export const DASHBOARD_ASSETS: Record<string, { file: string; contentType: string }> = {
  'dashboard.js': { file: 'src/dashboard/browser/dashboard.js', contentType: JS },
  'model.js': { file: 'src/dashboard/browser/model.js', contentType: JS },
  'render.js': { file: 'src/dashboard/browser/render.js', contentType: JS },
  'dashboard.css': { file: 'src/dashboard/browser/dashboard.css', contentType: 'text/css; charset=utf-8' },
  'chart.umd.min.js': { file: 'node_modules/chart.js/dist/chart.umd.min.js', contentType: JS },
};

export const DASHBOARD_PAGE = 'src/dashboard/browser/index.html';

/** Scripts and styles come from the app alone; the page talks to the app alone and cannot be framed. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

let appRoot: string | undefined;

/**
 * The folder holding host.json, found upwards from this module: the repository when the app runs
 * from dist/ or with tsx, the artifact's folder when it runs bundled (from index.js or a chunk).
 */
function findAppRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'host.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('The dashboard files were not found: no host.json above the app code');
    dir = parent;
  }
  return dir;
}

/** `asset` undefined: the page itself. Unknown assets: undefined (404). */
export async function dashboardFile(asset: string | undefined): Promise<DashboardFile | undefined> {
  if (asset !== undefined && !Object.hasOwn(DASHBOARD_ASSETS, asset)) return undefined;
  const entry = asset === undefined ? { file: DASHBOARD_PAGE, contentType: 'text/html; charset=utf-8' } : DASHBOARD_ASSETS[asset]!;
  appRoot ??= findAppRoot();
  return { body: await readFile(path.join(appRoot, entry.file)), contentType: entry.contentType };
}
