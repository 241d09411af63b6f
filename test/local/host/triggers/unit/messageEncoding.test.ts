import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessageText, encodeMessage, isStrictBase64 } from '../../../../../local/host/queue/messageEncoding.js';

describe('strict base64', () => {
  it.each(['', 'aGVsbG8=', 'aGVsbG8gd29ybGQ=', 'YQ==', 'YWI=', 'YWJj', 'aGVs\nbG8='])('accepts %j', (text) => {
    expect(isStrictBase64(text)).toBe(true);
  });

  it.each(['hello world', '{"a":1}', 'YQ', 'YQ=', 'Y===', 'aGVsbG8=aGVs', 'a-b_', 'aGVsbG8*'])('rejects %j', (text) => {
    expect(isStrictBase64(text)).toBe(false);
    expect(decodeMessageText(text, 'base64')).toBeUndefined();
  });

  it('round-trips any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const encoded = encodeMessage(text, 'base64');
        expect(isStrictBase64(encoded)).toBe(true);
        expect(decodeMessageText(encoded, 'base64')).toBe(text);
      }),
    );
  });

  it('decodes valid base64 even when it was meant as plain text, as Azure does', () => {
    expect(decodeMessageText('test', 'base64')).toBe(Buffer.from('test', 'base64').toString('utf8'));
  });
});

describe('encoding none', () => {
  it('passes text through both ways', () => {
    expect(decodeMessageText('not base64!', 'none')).toBe('not base64!');
    expect(encodeMessage('plain', 'none')).toBe('plain');
  });

  it('encodes bytes raw', () => {
    expect(encodeMessage(new Uint8Array([104, 105]), 'base64')).toBe('aGk=');
  });
});
