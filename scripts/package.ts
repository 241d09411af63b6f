// `npm run package -- --out <file.zip>`: the deployable Functions app. The app and what it uses at
// run time are bundled by esbuild into `index.js` plus chunks that load on first use (each Azure
// SDK package is imported lazily by the app, so it lands in its own chunk); beside them `host.json`,
// a `package.json` whose `main` is the bundle, the Swagger UI files the docs page serves and the
// dashboard's page, scripts and Chart.js build (at the paths src/dashboard/files.ts reads). No
// node_modules to install, no devDependency. The unpacked artifact is left in `.artifact/app`
// (what azure.yaml deploys); the zip goes to `--out` (default `.artifact/app.zip`), and esbuild's
// metafile to `.artifact/meta.json` (which sources each file holds, and what it imports).
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { zipSync, type Zippable } from 'fflate';
import { DASHBOARD_ASSETS, DASHBOARD_PAGE } from '../src/dashboard/files.js';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const ENTRY = 'app-entry';
/** The Swagger UI files src/openapi/docsPage.ts serves (plus what identifies and licenses them). */
const SWAGGER_UI_FILES = ['package.json', 'LICENSE', 'swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png'];

export interface PackageResult {
  zipFile: string;
  appDir: string;
  zipBytes: number;
  files: number;
  /** esbuild's account of what went into which file (and which file imports which). */
  metafile: esbuild.Metafile;
}

export async function packageApp(options: { out?: string; appDir?: string } = {}): Promise<PackageResult> {
  const appDir = path.resolve(options.appDir ?? path.join(root, '.artifact/app'));
  const zipFile = path.resolve(options.out ?? path.join(root, '.artifact/app.zip'));
  await rm(appDir, { recursive: true, force: true });
  await mkdir(appDir, { recursive: true });

  const functionFiles = (await readdir(path.join(root, 'src/functions'))).filter((f) => f.endsWith('.ts')).sort();
  const entry = ['./src/index.ts', ...functionFiles.map((f) => `./src/functions/${f}`)].map((f) => `import ${JSON.stringify(f)};`).join('\n');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { index: ENTRY },
    plugins: [
      {
        // One entry that registers every function, as the `main` glob does for the dev build.
        name: 'app-entry',
        setup(build) {
          build.onResolve({ filter: new RegExp(`^${ENTRY}$`) }, () => ({ path: ENTRY, namespace: ENTRY }));
          build.onLoad({ filter: /.*/, namespace: ENTRY }, () => ({ contents: entry, loader: 'ts', resolveDir: root }));
        },
      },
    ],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: appDir,
    chunkNames: 'chunks/[name]-[hash]',
    // The Functions worker provides this module at run time.
    external: ['@azure/functions-core'],
    // CommonJS packages in an ES module bundle still call require().
    banner: { js: "import { createRequire as __appCreateRequire } from 'node:module'; const require = __appCreateRequire(import.meta.url);" },
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: true,
    // Error and class names stay as written: the SDKs and the app compare them.
    keepNames: true,
    legalComments: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  await cp(path.join(root, 'host.json'), path.join(appDir, 'host.json'));
  const own = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string; description: string };
  const manifest = { name: own.name, version: own.version, description: own.description, private: true, type: 'module', main: 'index.js', engines: { node: '>=20' } };
  await writeFile(path.join(appDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const swaggerUi = path.join(root, 'node_modules/swagger-ui-dist');
  for (const file of SWAGGER_UI_FILES) {
    await cp(path.join(swaggerUi, file), path.join(appDir, 'node_modules/swagger-ui-dist', file));
  }
  const dashboardFiles = [
    DASHBOARD_PAGE,
    ...Object.values(DASHBOARD_ASSETS).map(({ file }) => file),
    'node_modules/chart.js/package.json',
    'node_modules/chart.js/LICENSE.md',
  ];
  for (const file of dashboardFiles) await cp(path.join(root, file), path.join(appDir, file));

  const entries = await filesUnder(appDir);
  const zippable: Zippable = {};
  for (const file of entries) zippable[path.relative(appDir, file).split(path.sep).join('/')] = await readFile(file);
  const zip = zipSync(zippable, { level: 9, mtime: new Date('2020-01-01T00:00:00Z') });
  await mkdir(path.dirname(zipFile), { recursive: true });
  await writeFile(zipFile, zip);
  return { zipFile, appDir, zipBytes: (await stat(zipFile)).size, files: entries.length, metafile: result.metafile };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const packaged = await packageApp({ out: values.out });
  await writeFile(path.join(root, '.artifact/meta.json'), JSON.stringify(packaged.metafile));
  const megabytes = (packaged.zipBytes / 1024 / 1024).toFixed(1);
  console.log(`${path.relative(process.cwd(), packaged.zipFile)}: ${megabytes} MB, ${packaged.files} files (unpacked in ${path.relative(process.cwd(), packaged.appDir)})`);
}
