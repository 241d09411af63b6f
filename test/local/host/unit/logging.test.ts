import { describe, expect, it } from 'vitest';
import { createConsoleLogger } from '../../../../local/host/logging.js';

describe('console logger', () => {
  it('filters by the longest matching category prefix, then default, then Information', () => {
    const lines: string[] = [];
    const logger = createConsoleLogger(
      { version: '2.0', logging: { logLevel: { default: 'Warning', Function: 'Error', 'Function.a': 'Information', 'Function.a.User': 'Trace' } } },
      (l) => lines.push(l),
    );
    expect(logger.isEnabled('trace', 'Function.a.User')).toBe(true);
    expect(logger.isEnabled('debug', 'Function.a')).toBe(false);
    expect(logger.isEnabled('information', 'Function.a')).toBe(true);
    expect(logger.isEnabled('warning', 'Function.b')).toBe(false);
    expect(logger.isEnabled('error', 'function.b.User')).toBe(true);
    expect(logger.isEnabled('information', 'Host.General')).toBe(false);
    logger.log('warning', 'Host.General', 'shown');
    logger.log('information', 'Host.General', 'hidden');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] shown$/);
  });

  it('defaults to Information, honours None and rejects unknown levels', () => {
    expect(createConsoleLogger({ version: '2.0' }, () => undefined).isEnabled('debug', 'Host')).toBe(false);
    expect(createConsoleLogger({ version: '2.0', logging: { logLevel: { default: 'None' } } }, () => undefined).isEnabled('critical', 'x')).toBe(false);
    expect(() => createConsoleLogger({ version: '2.0', logging: { logLevel: { default: 'Loud' } } }, () => undefined)).toThrow("unknown level 'Loud'");
  });
});
