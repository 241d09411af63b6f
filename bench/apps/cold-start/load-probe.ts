// (a) of bench/cold-start.ts, bundled by esbuild and run with plain `node` (no TypeScript loader):
// what the Functions worker does to load an app — provide `@azure/functions-core`, import the
// `main` entry points — timed until every function is registered, then the process's RSS.
import { CoreRegistry, createCoreModule, installCoreModule } from '../../../local/host/worker/coreModule.js';
import { loadEntryPoints } from '../../../local/host/worker/loader.js';

const registry = new CoreRegistry();
installCoreModule(createCoreModule(registry, () => undefined));
const start = performance.now();
await loadEntryPoints(process.argv[2]!);
const loadMs = performance.now() - start;
console.log(JSON.stringify({ loadMs, functions: registry.functions.size, rssBytes: process.memoryUsage().rss }));
