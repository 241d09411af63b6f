// Host logging: Core Tools-like console lines, filtered by host.json `logging.logLevel`
// (`default` plus category prefixes; the longest matching prefix wins).
import type { HostJson, HostLogger, LogLevel } from './contracts.js';

const SEVERITY: Record<LogLevel | 'none', number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};

export type LineWriter = (line: string) => void;

export interface ConsoleLogger extends HostLogger {
  isEnabled(level: LogLevel, category: string): boolean;
  /** A line that is not a log record (app stdout/stderr, the function listing). */
  writeRaw(line: string): void;
}

export function createConsoleLogger(hostJson: HostJson, write: LineWriter): ConsoleLogger {
  const rules = Object.entries(hostJson.logging?.logLevel ?? {}).map(([category, level]) => ({
    prefix: category.toLowerCase(),
    minimum: parseLevel(level, category),
  }));
  const defaultRule = rules.find((r) => r.prefix === 'default');
  const specific = rules.filter((r) => r.prefix !== 'default').sort((a, b) => b.prefix.length - a.prefix.length);
  const cache = new Map<string, number>();

  const minimumFor = (category: string): number => {
    let minimum = cache.get(category);
    if (minimum === undefined) {
      const lower = category.toLowerCase();
      minimum = specific.find((r) => lower.startsWith(r.prefix))?.minimum ?? defaultRule?.minimum ?? SEVERITY.information;
      cache.set(category, minimum);
    }
    return minimum;
  };
  const isEnabled = (level: LogLevel, category: string): boolean => SEVERITY[level] >= minimumFor(category);

  return {
    isEnabled,
    log(level, category, message) {
      if (isEnabled(level, category)) write(formatLine(message));
    },
    writeRaw: write,
  };
}

export function formatLine(message: string): string {
  return `[${new Date().toISOString()}] ${message}`;
}

function parseLevel(value: string, category: string): number {
  const normalized = value.toLowerCase();
  const severity = (SEVERITY as Record<string, number>)[normalized === 'info' ? 'information' : normalized];
  if (severity === undefined) {
    throw new Error(`host.json logging.logLevel.${category}: unknown level '${value}' (Trace, Debug, Information, Warning, Error, Critical, None)`);
  }
  return severity;
}
