/** One-line (plus details) summaries of checkpoint values for `inspect`. */
import { isNamedArray, formatShape, numel, elementAt, type NamedArray } from './arrays.js';
import { PyTuple, formatValue, formatNumber } from './pickle-values.js';

export interface Summary {
  summary: string;
  details: string[];
}

export function tensorSummary(t: NamedArray): string {
  const n = numel(t.shape);
  if (n === 1 && t.data.length === 1) return `tensor ${t.dtype}${formatShape(t.shape)} = ${formatNumber(elementAt(t, 0))}`;
  return `tensor ${t.dtype}${formatShape(t.shape)}`;
}

function isNumberList(v: unknown): v is (number | bigint)[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' || typeof x === 'bigint');
}

function optimizerSummary(opt: Map<unknown, unknown>): Summary | null {
  const state = opt.get('state');
  const groups = opt.get('param_groups');
  if (!(state instanceof Map) || !Array.isArray(groups)) return null;
  const fields = new Set<string>();
  const steps = new Set<string>();
  for (const s of state.values()) {
    if (!(s instanceof Map)) continue;
    for (const [k, v] of s) {
      if (typeof k === 'string') fields.add(k);
      if (k === 'step') steps.add(isNamedArray(v) ? formatNumber(elementAt(v, 0)) : formatValue(v));
    }
  }
  const kind = fields.has('exp_avg') ? 'Adam-style ' : fields.has('momentum_buffer') ? 'SGD-style ' : '';
  const summary = `${kind}optimizer: ${groups.length} param group${groups.length === 1 ? '' : 's'}, state for ${state.size} params${fields.size ? ` (${[...fields].join(', ')})` : ''}`;
  const details: string[] = [];
  groups.forEach((g, i) => {
    if (!(g instanceof Map)) {
      details.push(`group ${i}: ${formatValue(g, { maxDepth: 2 })}`);
      return;
    }
    const parts: string[] = [];
    for (const [k, v] of g) {
      if (k === 'params' && Array.isArray(v)) parts.push(`params=${v.length}`);
      else parts.push(`${formatValue(k).replace(/^'|'$/g, '')}=${formatValue(v, { maxDepth: 2, maxItems: 4 })}`);
    }
    details.push(`group ${i}: ${parts.join(' ')}`);
  });
  if (steps.size) details.push(`step: ${[...steps].slice(0, 4).join(', ')}${steps.size > 4 ? ', ...' : ''}${steps.size === 1 ? ' (all params)' : ''}`);
  return { summary, details };
}

/** summaries already made: a file can name one big value many times */
const made = new WeakMap<object, Summary>();

/** a summary of any checkpoint value (work linear in the value's size, once per distinct value) */
export function summarize(v: unknown): Summary {
  if (typeof v !== 'object' || v === null) return summarizeNew(v);
  const hit = made.get(v);
  if (hit) return hit;
  const s = summarizeNew(v);
  made.set(v, s);
  return s;
}

function summarizeNew(v: unknown): Summary {
  if (isNamedArray(v)) return { summary: tensorSummary(v), details: [] };
  if (v instanceof Map) {
    const opt = optimizerSummary(v);
    if (opt) return opt;
    const tensors = [...v.values()].filter(isNamedArray).length;
    if (tensors > 0 && tensors === v.size) return { summary: `dict of ${tensors} tensors`, details: [] };
    return { summary: formatValue(v, { maxDepth: 2, maxItems: 6 }), details: [] };
  }
  if (isNumberList(v)) {
    const shown = v.slice(0, 32).map((x) => formatNumber(x));
    return { summary: `list of ${v.length}: [${shown.join(', ')}${v.length > 32 ? ', ...' : ''}]`, details: [] };
  }
  if (v instanceof PyTuple || Array.isArray(v)) return { summary: formatValue(v, { maxDepth: 2, maxItems: 8 }), details: [] };
  return { summary: formatValue(v), details: [] };
}
