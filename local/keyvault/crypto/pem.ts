// PEM text: the `application/x-pem-file` secret format (unencrypted PKCS#8 key
// first, then the chain, `\n` line ends) and the blocks a PEM import may contain.
import type { KeyObject } from 'node:crypto';

export interface PemBlock {
  label: string;
  der: Buffer;
  /** The whole block, BEGIN to END line, as node:crypto accepts it. */
  text: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

export function isPemText(value: string): boolean {
  return value.trimStart().startsWith('-----BEGIN');
}

export function pemEncode(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Every well-formed block in `text`, in order; headers such as `Proc-Type` stay in `text`. */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const label = match[1] as string;
    const body = (match[2] as string)
      .split(/\r?\n/)
      .filter((line) => !line.includes(':'))
      .join('');
    blocks.push({ label, der: Buffer.from(body, 'base64'), text: match[0].replace(/\r\n/g, '\n') });
  }
  return blocks;
}

/** The secret value of a PEM-format certificate: PKCS#8 key, then the chain, leaf first. */
export function secretPem(privateKey: KeyObject, chain: Buffer[]): string {
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return key + chain.map((der) => pemEncode('CERTIFICATE', der)).join('');
}

/** The public chain as PEM (no key), e.g. for a certificate without an exportable key. */
export function chainPem(chain: Buffer[]): string {
  return chain.map((der) => pemEncode('CERTIFICATE', der)).join('');
}
