/**
 * What an unpickled object is made of. Python values map to:
 *   None -> null, bool -> boolean, int -> number (bigint beyond 2^53), float -> number,
 *   str -> string, bytes -> Uint8Array, list -> Array, tuple -> PyTuple,
 *   dict / collections.OrderedDict -> PyDict (a Map), tensor -> NamedArray.
 * Plus a few helpers to walk and summarise such trees without trusting their depth.
 */
import { isNamedArray, formatShape } from './arrays.js';

/** a Python tuple (kept apart from lists so they print and re-pickle as tuples) */
export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** a Python dict or collections.OrderedDict; `attrs` holds instance attributes set by BUILD (e.g. a state_dict's `_metadata`) */
export class PyDict extends Map<unknown, unknown> {
  readonly attrs = new Map<string, unknown>();

  constructor(readonly ordered = false) {
    super();
  }
}

/** the value under a string key of a dict-like object, or undefined */
export function dictGet(v: unknown, key: string): unknown {
  return v instanceof Map ? v.get(key) : undefined;
}

function pyString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

export function formatNumber(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (Number.isInteger(n) || !Number.isFinite(n)) return String(n);
  const s = String(Number(n.toPrecision(6)));
  return s;
}

export interface FormatOptions {
  /** elements shown per list/tuple/dict before "..." */
  maxItems?: number;
  /** nesting shown before "..." */
  maxDepth?: number;
  /** characters of a string shown */
  maxString?: number;
}

/** a short Python-like rendering of a value; bounded in depth, width and length, safe on cycles */
export function formatValue(v: unknown, opts: FormatOptions = {}, depth = 0, seen = new Set<unknown>()): string {
  const maxItems = opts.maxItems ?? 8;
  const maxDepth = opts.maxDepth ?? 4;
  const maxString = opts.maxString ?? 80;
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return formatNumber(v);
  if (typeof v === 'string') return v.length > maxString ? `${pyString(v.slice(0, maxString))}...(${v.length} chars)` : pyString(v);
  if (v instanceof Uint8Array) return `bytes(${v.byteLength})`;
  if (isNamedArray(v)) return `tensor ${v.dtype}${formatShape(v.shape)}`;
  if (seen.has(v)) return '<cycle>';
  if (depth >= maxDepth) return v instanceof Map ? '{...}' : v instanceof PyTuple ? '(...)' : '[...]';
  seen.add(v);
  try {
    const more = (n: number) => (n > maxItems ? `, ... (${n} items)` : '');
    if (v instanceof PyTuple || Array.isArray(v)) {
      const items = v instanceof PyTuple ? v.items : (v as unknown[]);
      const shown = items.slice(0, maxItems).map((x) => formatValue(x, opts, depth + 1, seen));
      const body = shown.join(', ') + more(items.length);
      return v instanceof PyTuple ? `(${body}${items.length === 1 ? ',' : ''})` : `[${body}]`;
    }
    if (v instanceof Map) {
      const entries: [unknown, unknown][] = [];
      for (const e of v.entries()) {
        if (entries.length >= maxItems) break;
        entries.push(e);
      }
      const body = entries.map(([k, x]) => `${formatValue(k, opts, depth + 1, seen)}: ${formatValue(x, opts, depth + 1, seen)}`).join(', ');
      return `{${body}${more(v.size)}}`;
    }
    return `<${typeof v}>`;
  } finally {
    seen.delete(v);
  }
}
