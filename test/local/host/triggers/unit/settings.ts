import type { AppSettings } from '../../../../../local/host/contracts.js';

/** AppSettings over a plain map, with the same `%NAME%` rules as the host's. */
export function settingsFrom(values: Record<string, string>): AppSettings {
  return {
    get: (name) => values[name],
    withPrefix: (prefix) => Object.fromEntries(Object.entries(values).filter(([key]) => key.startsWith(prefix))),
    resolve: (text) =>
      text.replace(/%([^%]+)%/g, (_, name: string) => {
        const value = values[name];
        if (value === undefined) throw new Error(`App setting '${name}' is not defined`);
        return value;
      }),
  };
}
