// The properties every log line of a piece of work carries (operation id, rotation id, vault
// alias, ...), kept for the duration of that work in async-local storage: a log line written
// anywhere inside it gets them, without each call site passing them along. Telemetry attaches them
// to each log record it sends as attributes (telemetrySdk.ts); ids and names only, never a value.
// Only telemetry reads them, so the storage exists only once telemetry has started: without it
// `withLogProperties` just runs the work, and `node:async_hooks` is not even loaded.
import type { AsyncLocalStorage } from 'node:async_hooks';

export type LogProperties = Record<string, string | number | undefined>;

let scope: AsyncLocalStorage<Readonly<Record<string, string | number>>> | undefined;

/** Called by telemetry when it starts: from then on, work keeps its log properties. */
export async function keepLogProperties(): Promise<void> {
  const { AsyncLocalStorage } = await import('node:async_hooks');
  scope ??= new AsyncLocalStorage();
}

/** Runs `work` with `properties` added to those of the enclosing work (undefined ones are left out). */
export function withLogProperties<T>(properties: LogProperties, work: () => T): T {
  if (!scope) return work();
  const defined = Object.fromEntries(Object.entries(properties).filter((entry): entry is [string, string | number] => entry[1] !== undefined));
  return scope.run({ ...scope.getStore(), ...defined }, work);
}

/** The properties of the work this runs in (empty outside any, and while telemetry is off). */
export function logProperties(): Readonly<Record<string, string | number>> {
  return scope?.getStore() ?? {};
}
