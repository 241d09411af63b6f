// Loads the app's entry points the way the Node worker does: `main` from the app
// root package.json, globbed with globby-11 semantics, each file imported or required.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fg from 'fast-glob';

interface AppPackageJson {
  main?: string;
  type?: string;
}

export async function loadEntryPoints(appDir: string): Promise<void> {
  const packageFile = path.join(appDir, 'package.json');
  const pkg = JSON.parse(readFileSync(packageFile, 'utf8')) as AppPackageJson;
  if (!pkg.main) return;
  const files = findEntryPoints(appDir, pkg.main);
  const appRequire = createRequire(packageFile);
  const appIsModule = pkg.type === 'module';
  for (const file of files) {
    try {
      if (usesImport(file, appIsModule)) {
        await import(pathToFileURL(file).href);
      } else {
        appRequire(file);
      }
    } catch (err) {
      const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
      throw new Error(`Worker was unable to load entry point "${path.relative(appDir, file)}": ${detail}`, { cause: err });
    }
  }
}

function findEntryPoints(appDir: string, main: string): string[] {
  if (fg.isDynamicPattern(main)) {
    const files = fg.sync(main, { cwd: appDir, absolute: true });
    if (files.length === 0) {
      throw new Error(`Found zero files matching the supplied pattern "${main}" in ${appDir}`);
    }
    return files.map((f) => path.normalize(f));
  }
  const file = path.resolve(appDir, main);
  if (!existsSync(file)) throw new Error(`File does not exist: "${main}" (package.json main in ${appDir})`);
  return [file];
}

/** The app ROOT package.json decides for .js files, not the nearest one. */
function usesImport(file: string, appIsModule: boolean): boolean {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  return appIsModule;
}
