import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stopChild } from './azurite.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

/** In-flight invocations get this long to finish before the host is killed, so that the whole
 * stack stops within 10 s. */
const STOP_GRACE_MS = 8_000;

/** What `npm run host -- --ready-file` writes once the host listens. */
export interface HostReadyFile {
  baseUrl: string;
  /** The address the host listens on (127.0.0.1 unless `--bind` says otherwise). */
  bindAddress: string;
  functionKey: string;
  masterKey: string;
  functions: { name: string; trigger: string; route?: string }[];
}

export interface HostProcessOptions {
  appDir: string;
  port: number;
  readyFile: string;
  /** The host's keys and timer status. */
  dataDir: string;
  /** Settings that win over the app's local.settings.json (as real environment variables do). */
  env: Record<string, string>;
  /** Where the host's own output goes; default: this process's stdout/stderr. */
  output?: (chunk: string) => void;
}

export interface RunningHostProcess extends HostReadyFile {
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Runs the local Functions host as a process of its own, as Core Tools does: it can be killed
 * (even with SIGKILL) and restarted without touching the rest of the stack.
 */
export async function startHostProcess(options: HostProcessOptions): Promise<RunningHostProcess> {
  await rm(options.readyFile, { force: true });
  const child = spawn(
    process.execPath,
    // tsx resolved from this repository, so that any app folder can be the working directory.
    [
      '--import',
      tsxLoader,
      path.join(repoRoot, 'local/host/cli.ts'),
      '--app',
      options.appDir,
      '--port',
      String(options.port),
      '--ready-file',
      options.readyFile,
      '--data-dir',
      options.dataDir,
    ],
    { cwd: options.appDir, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const write = options.output ?? ((chunk: string) => process.stdout.write(chunk));
  let recent = '';
  const onOutput = (chunk: Buffer) => {
    const text = chunk.toString();
    recent = (recent + text).slice(-4_000);
    write(text);
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);

  const ready = await waitForReadyFile(options.readyFile, child, () => recent);
  return { ...ready, child, stop: () => stopChild(child, STOP_GRACE_MS) };
}

async function waitForReadyFile(file: string, child: ChildProcess, output: () => string): Promise<HostReadyFile> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The Functions host exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output().trim()}`);
    }
    try {
      return JSON.parse(await readFile(file, 'utf8')) as HostReadyFile;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`The Functions host was not ready within 60 s:\n${output().trim()}`);
}
