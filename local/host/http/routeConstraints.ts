// Inline route constraints with ASP.NET Core meanings (invariant culture). A failed constraint
// means "no match", never 400.

export type RouteConstraint = (value: string) => boolean;

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER = /^\s*[+-]?\d+\s*$/;
const FLOAT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/;
const GUID_DASHED = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const GUID = new RegExp(`^\\s*(?:[0-9a-fA-F]{32}|${GUID_DASHED}|\\{${GUID_DASHED}\\}|\\(${GUID_DASHED}\\))\\s*$`);

function integerIn(value: string, min: bigint, max: bigint): boolean {
  if (!INTEGER.test(value)) return false;
  const n = BigInt(value.trim());
  return n >= min && n <= max;
}

function numbers(args: string | undefined, count: number[], name: string, template: string): bigint[] {
  const parts = (args ?? '').split(',').map((a) => a.trim());
  if (!count.includes(parts.length) || parts.some((p) => !/^[+-]?\d+$/.test(p))) {
    throw new Error(`Route '${template}': constraint '${name}' needs ${count.join(' or ')} integer argument(s)`);
  }
  return parts.map((p) => BigInt(p));
}

export function routeConstraint(name: string, args: string | undefined, template: string): RouteConstraint {
  switch (name.toLowerCase()) {
    case 'int':
      return (v) => integerIn(v, INT32_MIN, INT32_MAX);
    case 'long':
      return (v) => integerIn(v, INT64_MIN, INT64_MAX);
    case 'bool':
      return (v) => /^\s*(true|false)\s*$/i.test(v);
    case 'guid':
      return (v) => GUID.test(v);
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'decimal':
      return (v) => DECIMAL.test(v);
    case 'double':
    case 'float':
      return (v) => FLOAT.test(v);
    case 'min': {
      const [min] = numbers(args, [1], name, template) as [bigint];
      return (v) => integerIn(v, min, INT64_MAX);
    }
    case 'max': {
      const [max] = numbers(args, [1], name, template) as [bigint];
      return (v) => integerIn(v, INT64_MIN, max);
    }
    case 'range': {
      const [min, max] = numbers(args, [2], name, template) as [bigint, bigint];
      return (v) => integerIn(v, min, max);
    }
    case 'minlength': {
      const [min] = numbers(args, [1], name, template) as [bigint];
      return (v) => v.length >= Number(min);
    }
    case 'maxlength': {
      const [max] = numbers(args, [1], name, template) as [bigint];
      return (v) => v.length <= Number(max);
    }
    case 'length': {
      const bounds = numbers(args, [1, 2], name, template).map(Number);
      const [min, max] = bounds.length === 1 ? [bounds[0]!, bounds[0]!] : [bounds[0]!, bounds[1]!];
      return (v) => v.length >= min && v.length <= max;
    }
    case 'regex': {
      if (!args) throw new Error(`Route '${template}': constraint 'regex' needs a pattern`);
      // ASP.NET applies the pattern as written (not anchored), ignoring case.
      const pattern = new RegExp(args, 'i');
      return (v) => pattern.test(v);
    }
    case 'required':
      return (v) => v !== '';
    default:
      throw new Error(`Route '${template}': the constraint reference '${name}' could not be resolved`);
  }
}
