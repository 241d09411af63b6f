import { randomBytes, randomInt } from 'node:crypto';

/**
 * New secret values from a `rotation-generator` tag:
 * - `random:length=N[,charset=alphanumeric|alpha|numeric|hex|urlsafe|printable]` (default alphanumeric)
 * - `bytes:length=N,encoding=base64|base64url|hex`
 */
export interface Generator {
  spec: string;
  generate(): string;
  /** Whether a value could have come from this generator (the verify step). */
  accepts(value: string): boolean;
}

const CHARSETS: Record<string, string> = {
  alphanumeric: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  alpha: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  numeric: '0123456789',
  hex: '0123456789abcdef',
  urlsafe: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  printable: Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join(''),
};

const ENCODINGS = ['base64', 'base64url', 'hex'] as const;
type Encoding = (typeof ENCODINGS)[number];

/** Longest value a generator may produce; Key Vault's limit is 25 KiB. */
const MAX_LENGTH = 4096;

export class GeneratorError extends Error {}

export const DEFAULT_GENERATOR = 'random:length=32';

export function parseGenerator(spec: string): Generator {
  const [kind, rest = ''] = spec.split(':', 2) as [string, string?];
  const options = new Map<string, string>();
  for (const part of rest.split(',').filter(Boolean)) {
    const [key, value] = part.split('=', 2);
    if (!key || value === undefined || options.has(key)) throw new GeneratorError(`'${part}' is not a key=value option`);
    options.set(key.trim(), value.trim());
  }
  const length = Number(options.get('length'));
  if (!Number.isInteger(length) || length < 1 || length > MAX_LENGTH) throw new GeneratorError(`length must be a whole number from 1 to ${MAX_LENGTH}`);

  if (kind === 'random') {
    const charsetName = options.get('charset') ?? 'alphanumeric';
    const charset = CHARSETS[charsetName];
    if (!charset) throw new GeneratorError(`charset must be one of ${Object.keys(CHARSETS).join(', ')}`);
    rejectUnknown(options, ['length', 'charset']);
    return {
      spec,
      generate: () => Array.from({ length }, () => charset[randomInt(charset.length)]).join(''),
      accepts: (value) => value.length === length && [...value].every((c) => charset.includes(c)),
    };
  }
  if (kind === 'bytes') {
    const encoding = (options.get('encoding') ?? 'base64') as Encoding;
    if (!ENCODINGS.includes(encoding)) throw new GeneratorError(`encoding must be one of ${ENCODINGS.join(', ')}`);
    rejectUnknown(options, ['length', 'encoding']);
    return {
      spec,
      generate: () => randomBytes(length).toString(encoding),
      accepts: (value) => Buffer.from(value, encoding).length === length && Buffer.from(value, encoding).toString(encoding) === value,
    };
  }
  throw new GeneratorError(`'${kind}' is not a generator (use random or bytes)`);
}

function rejectUnknown(options: Map<string, string>, known: string[]): void {
  const unknown = [...options.keys()].find((key) => !known.includes(key));
  if (unknown) throw new GeneratorError(`'${unknown}' is not an option of this generator`);
}
