// Runs the system `openssl` binary on temporary files, so tests can check our output with the
// tool the real world uses. Tests that need it skip when it is not installed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/** Writes `files` to a temp dir, runs openssl there, returns stdout and any requested output files. */
export function openssl(
  args: string[],
  files: Record<string, Buffer | string> = {},
  outputs: string[] = [],
): { stdout: string; stderr: string; files: Record<string, Buffer> } {
  const dir = mkdtempSync(join(tmpdir(), 'kv-cert-test-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const run = spawnSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = run.stdout.toString();
    const stderr = run.stderr.toString();
    if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${run.status}): ${stderr}`);
    return { stdout, stderr, files: Object.fromEntries(outputs.map((name) => [name, readFileSync(join(dir, name))])) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
