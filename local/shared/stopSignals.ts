// When a local-stack command (stack, host, emulator) must stop: Ctrl-C, `kill`, a closed
// terminal, or the process that started it going away. The npm scripts `exec` the command, so a
// signal npm passes on reaches it; if its parent dies without passing one on (npm killed with
// SIGKILL, or a shell in between), the command notices by its parent process changing.

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const PARENT_CHECK_MS = 250;

/** Calls `stop(reason)` once, on the first of those events; a second signal exits at once. */
export function onStopRequest(stop: (reason: string) => void): void {
  let requested = false;
  const request = (reason: string) => {
    if (requested) {
      if (reason.startsWith('SIG')) {
        console.error(`Received ${reason} again: exiting now.`);
        process.exit(1);
      }
      return;
    }
    requested = true;
    clearInterval(parentWatch);
    stop(reason);
  };
  for (const signal of SIGNALS) process.on(signal, () => request(signal));
  const parent = process.ppid;
  const parentWatch = setInterval(() => {
    if (process.ppid !== parent) request('parent process exited');
  }, PARENT_CHECK_MS);
  parentWatch.unref();
}
