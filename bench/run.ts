// `npm run bench [-- name [--option value]…]`: runs bench/<name>.ts (all benchmarks when no name is
// given), one after another. Options after a name go to that benchmark (`rotation --vaults 2`).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const helpers = new Set(['run.ts', 'load.ts', 'hostOverhead.ts', 'stackProcess.ts']);
const all = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && !helpers.has(file))
  .map((file) => file.slice(0, -3));

const chosen: { name: string; args: string[] }[] = [];
const argv = process.argv.slice(2);
for (const [index, arg] of argv.entries()) {
  const previous = argv[index - 1];
  // An option, or the value of the option before it: the benchmark named last parses it.
  if (arg.startsWith('-') || (previous?.startsWith('--') && !previous.includes('='))) {
    if (chosen.length === 0) {
      console.error(`'${arg}' comes before any benchmark name: options follow the benchmark they are for (rotation --vaults 2).`);
      process.exit(2);
    }
    chosen.at(-1)!.args.push(arg);
  } else if (all.includes(arg)) {
    chosen.push({ name: arg, args: [] });
  } else {
    console.error(`No benchmark named '${arg}'. Available: ${all.join(', ')}`);
    process.exit(2);
  }
}

let failed = false;
for (const { name, args } of chosen.length > 0 ? chosen : all.map((name) => ({ name, args: [] }))) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, `${name}.ts`), ...args], { stdio: 'inherit' });
  failed ||= result.status !== 0;
}
process.exit(failed ? 1 : 0);
