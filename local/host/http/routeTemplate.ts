// ASP.NET Core route templates as the Functions host uses them: literals
// (case-insensitive), `{name}`, `{name?}`, `{name=default}`, `{*rest}`/`{**rest}` and inline
// constraints such as `{id:int:min(1)}` or `{code:regex(^\\d{{3}}$)}`.
import { routeConstraint, type RouteConstraint } from './routeConstraints.js';

interface LiteralPart {
  kind: 'literal';
  text: string;
}

interface ParameterPart {
  kind: 'parameter';
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: RouteConstraint[];
}

type Part = LiteralPart | ParameterPart;

export type RouteParams = Record<string, string>;

export class RouteTemplate {
  readonly text: string;
  readonly #segments: Part[][];
  readonly #segmentPatterns: (RegExp | undefined)[];

  constructor(template: string) {
    this.text = template.replace(/^\/+|\/+$/g, '');
    this.#segments = this.text === '' ? [] : this.text.split('/').map((segment) => parseSegment(segment, template));
    this.#segments.forEach((parts, index) => {
      const last = index === this.#segments.length - 1;
      for (const part of parts) {
        if (part.kind !== 'parameter') continue;
        if (part.catchAll && (!last || parts.length > 1)) {
          throw new Error(`Route '${template}': a catch-all parameter must be the last segment on its own`);
        }
        if (part.optional && parts.length > 1) {
          throw new Error(`Route '${template}': an optional parameter must be alone in its segment`);
        }
      }
    });
    const names = this.#segments
      .flat()
      .filter((p): p is ParameterPart => p.kind === 'parameter')
      .map((p) => p.name.toLowerCase());
    if (new Set(names).size !== names.length) throw new Error(`Route '${template}': a parameter name is used twice`);
    this.#segmentPatterns = this.#segments.map((parts) => (parts.length > 1 ? complexSegmentPattern(parts) : undefined));
  }

  /** Params when `pathSegments` (raw, still percent-encoded) match; `undefined` otherwise. */
  match(pathSegments: readonly string[]): RouteParams | undefined {
    const params: RouteParams = {};
    const segments = this.#segments;
    for (let i = 0; i < segments.length; i++) {
      const parts = segments[i]!;
      const only = parts.length === 1 ? parts[0]! : undefined;
      if (only?.kind === 'parameter' && only.catchAll) {
        const rest = pathSegments.slice(i).map(decode).join('/');
        if (rest === '') {
          if (only.defaultValue !== undefined) params[only.name] = only.defaultValue;
          return params;
        }
        if (!only.constraints.every((c) => c(rest))) return undefined;
        params[only.name] = rest;
        return params;
      }
      const raw = pathSegments[i];
      if (raw === undefined) {
        return this.#fillMissing(i, params) ? params : undefined;
      }
      if (!this.#matchSegment(i, parts, decode(raw), params)) return undefined;
    }
    return pathSegments.length === segments.length ? params : undefined;
  }

  /** The path ended at template segment `from`: the rest must be optional, defaulted or catch-all. */
  #fillMissing(from: number, params: RouteParams): boolean {
    for (const parts of this.#segments.slice(from)) {
      const only = parts.length === 1 ? parts[0] : undefined;
      if (only?.kind !== 'parameter' || !(only.optional || only.catchAll || only.defaultValue !== undefined)) return false;
      if (only.defaultValue !== undefined) params[only.name] = only.defaultValue;
    }
    return true;
  }

  #matchSegment(index: number, parts: Part[], value: string, params: RouteParams): boolean {
    const pattern = this.#segmentPatterns[index];
    if (!pattern) {
      const part = parts[0]!;
      if (part.kind === 'literal') return part.text.toLowerCase() === value.toLowerCase();
      if (value === '' || !part.constraints.every((c) => c(value))) return false;
      params[part.name] = value;
      return true;
    }
    const m = pattern.exec(value);
    if (!m) return false;
    let group = 1;
    for (const part of parts) {
      if (part.kind !== 'parameter') continue;
      const captured = m[group++] ?? '';
      if (!part.constraints.every((c) => c(captured))) return false;
      params[part.name] = captured;
    }
    return true;
  }
}

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function complexSegmentPattern(parts: Part[]): RegExp {
  const body = parts.map((p) => (p.kind === 'literal' ? escapeRegExp(p.text) : '(.+?)')).join('');
  return new RegExp(`^${body}$`, 'i');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseSegment(segment: string, template: string): Part[] {
  if (segment === '') throw new Error(`Route '${template}': empty segment`);
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < segment.length) {
    const ch = segment[i]!;
    if ((ch === '{' || ch === '}') && segment[i + 1] === ch) {
      literal += ch;
      i += 2;
    } else if (ch === '{') {
      const end = findParameterEnd(segment, i + 1);
      if (end < 0) throw new Error(`Route '${template}': unbalanced '{'`);
      if (literal) parts.push({ kind: 'literal', text: literal });
      literal = '';
      parts.push(
        parseParameter(
          segment
            .slice(i + 1, end)
            .replaceAll('{{', '{')
            .replaceAll('}}', '}'),
          template,
        ),
      );
      i = end + 1;
    } else if (ch === '}') {
      throw new Error(`Route '${template}': unbalanced '}'`);
    } else {
      literal += ch;
      i++;
    }
  }
  if (literal) parts.push({ kind: 'literal', text: literal });
  for (let p = 1; p < parts.length; p++) {
    if (parts[p]!.kind === 'parameter' && parts[p - 1]!.kind === 'parameter') {
      throw new Error(`Route '${template}': two parameters must be separated by a literal`);
    }
  }
  return parts;
}

/** Index of the `}` closing a parameter, skipping `{{`/`}}` escapes inside it. */
function findParameterEnd(segment: string, from: number): number {
  for (let i = from; i < segment.length; i++) {
    const ch = segment[i];
    if ((ch === '{' || ch === '}') && segment[i + 1] === ch) {
      i++;
    } else if (ch === '}') {
      return i;
    }
  }
  return -1;
}

function parseParameter(text: string, template: string): ParameterPart {
  let rest = text;
  const catchAll = rest.startsWith('*');
  rest = rest.replace(/^\*{1,2}/, '');
  const nameMatch = /^[^:=?]+/.exec(rest);
  if (!nameMatch) throw new Error(`Route '${template}': parameter '{${text}}' has no name`);
  const name = nameMatch[0];
  rest = rest.slice(name.length);
  const constraints: RouteConstraint[] = [];
  while (rest.startsWith(':')) {
    const { constraint, length } = readConstraint(rest.slice(1), template);
    constraints.push(constraint);
    rest = rest.slice(1 + length);
  }
  let defaultValue: string | undefined;
  let optional = false;
  if (rest.startsWith('=')) {
    defaultValue = rest.slice(1);
    rest = '';
  } else if (rest === '?') {
    optional = true;
    rest = '';
  }
  if (rest !== '') throw new Error(`Route '${template}': cannot parse parameter '{${text}}'`);
  if (catchAll && optional) throw new Error(`Route '${template}': a catch-all parameter cannot be optional`);
  return { kind: 'parameter', name, optional, catchAll, constraints, ...(defaultValue !== undefined ? { defaultValue } : {}) };
}

/** Reads `name` or `name(args)`; args end at the `)` that balances the opening one. */
function readConstraint(text: string, template: string): { constraint: RouteConstraint; length: number } {
  const nameMatch = /^[A-Za-z]+/.exec(text);
  if (!nameMatch) throw new Error(`Route '${template}': empty constraint`);
  const name = nameMatch[0];
  if (text[name.length] !== '(') return { constraint: routeConstraint(name, undefined, template), length: name.length };
  let depth = 0;
  for (let i = name.length; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i++;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')' && --depth === 0) {
      return { constraint: routeConstraint(name, text.slice(name.length + 1, i), template), length: i + 1 };
    }
  }
  throw new Error(`Route '${template}': constraint '${name}' has no closing ')'`);
}
