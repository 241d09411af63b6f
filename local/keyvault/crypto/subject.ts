// Policy subjects are RFC 4514-ish strings written by people: `CN=a, O=b`, `cn=a;o=b`, quoted or
// escaped commas. @peculiar/x509's own parser only knows upper-case short names, so we parse
// here and hand it attribute OIDs.
import { CertificateInputError } from './errors.js';
import { x509 } from './x509.js';

const ATTRIBUTE_OIDS: Record<string, string> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  SURNAME: '2.5.4.4',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  S: '2.5.4.8',
  ST: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  T: '2.5.4.12',
  TITLE: '2.5.4.12',
  POSTALCODE: '2.5.4.17',
  G: '2.5.4.42',
  GIVENNAME: '2.5.4.42',
  I: '2.5.4.43',
  INITIALS: '2.5.4.43',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
  E: '1.2.840.113549.1.9.1',
  EMAIL: '1.2.840.113549.1.9.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
};

export interface SubjectAttribute {
  oid: string;
  value: string;
}

// Policy validation answers the service's fixed text instead; the detail is for other callers.
function invalidSubject(subject: string, why: string): CertificateInputError {
  return new CertificateInputError(`Subject '${subject}' is not a valid X.500 name (${why}).`);
}

/** Splits on unescaped, unquoted separators (`,` or `;` between RDNs, `+` inside one). */
function splitTopLevel(text: string): { parts: string[]; separators: string[] } {
  const parts: string[] = [];
  const separators: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + (text[i + 1] as string);
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      current += ch;
    } else if (!quoted && (ch === ',' || ch === ';' || ch === '+')) {
      parts.push(current);
      separators.push(ch);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return { parts, separators };
}

function unescapeValue(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return trimmed.replace(/\\([0-9a-fA-F]{2}|.)/g, (_m, escaped: string) => (escaped.length === 2 ? String.fromCharCode(parseInt(escaped, 16)) : escaped));
}

/** Parses a subject into RDNs (each a list of attributes), in the order written. */
export function parseSubject(subject: string): SubjectAttribute[][] {
  const { parts, separators } = splitTopLevel(subject);
  const rdns: SubjectAttribute[][] = [[]];
  parts.forEach((part, index) => {
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalidSubject(subject, `'${part.trim()}' is not of the form TYPE=value`);
    const type = part.slice(0, eq).trim();
    const oid = /^[0-2](\.\d+)+$/.test(type) ? type : ATTRIBUTE_OIDS[type.toUpperCase()];
    if (!oid) throw invalidSubject(subject, `unknown attribute type '${type}'`);
    const value = unescapeValue(part.slice(eq + 1));
    if (value === '') throw invalidSubject(subject, `attribute '${type}' has an empty value`);
    if (oid === ATTRIBUTE_OIDS.C && !/^[A-Za-z]{2}$/.test(value)) {
      throw invalidSubject(subject, `country '${value}' must be a two-letter code`);
    }
    (rdns[rdns.length - 1] as SubjectAttribute[]).push({ oid, value });
    if (index < separators.length && separators[index] !== '+') rdns.push([]);
  });
  return rdns;
}

/** The subject as an X.509 Name; an empty subject gives an empty Name (SAN-only certificates). */
export function subjectToName(subject: string | undefined): x509.Name {
  if (subject === undefined || subject.trim() === '') return new x509.Name([]);
  const json: x509.JsonName = parseSubject(subject).map((rdn) => {
    const entry: Record<string, string[]> = {};
    for (const { oid, value } of rdn) (entry[oid] ??= []).push(value);
    return entry;
  });
  return new x509.Name(json);
}
