// `npm run bench [-- name…]`: runs bench/<name>.ts (all benchmarks when no name is given), one after another.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const helpers = new Set(['run.ts', 'load.ts', 'hostOverhead.ts', 'stackProcess.ts']);
const all = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && !helpers.has(file))
  .map((file) => file.slice(0, -3));
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;

let failed = false;
for (const name of chosen) {
  if (!all.includes(name)) {
    console.error(`No benchmark named '${name}'. Available: ${all.join(', ')}`);
    process.exit(2);
  }
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, `${name}.ts`)], { stdio: 'inherit' });
  failed ||= result.status !== 0;
}
process.exit(failed ? 1 : 0);
