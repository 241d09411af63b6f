// Queue message text <-> payload per host.json `messageEncoding`.
import type { MessageEncoding } from './options.js';

// Node's base64 decoder accepts anything; the .NET host's Convert.FromBase64String does not, and
// a message it cannot decode goes straight to the poison queue. Whitespace is allowed by .NET.
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isStrictBase64(text: string): boolean {
  return STRICT_BASE64.test(text.replace(/[ \t\r\n]/g, ''));
}

/** The message payload as UTF-8 text, or undefined when `base64` is expected and the text is not. */
export function decodeMessageText(messageText: string, encoding: MessageEncoding): string | undefined {
  if (encoding === 'none') return messageText;
  if (!isStrictBase64(messageText)) return undefined;
  return Buffer.from(messageText, 'base64').toString('utf8');
}

export function encodeMessage(payload: string | Uint8Array, encoding: MessageEncoding): string {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  return encoding === 'base64' ? bytes.toString('base64') : bytes.toString('utf8');
}
