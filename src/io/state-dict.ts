/**
 * Finds the state_dict in a loaded checkpoint: the top-level object itself, or the value
 * under "state_dict" / "model" / "model_state_dict" (training checkpoints), with DataParallel's
 * "module." prefixes stripped. Everything else at the top level is an "extra field".
 */
import { type NamedArray, isNamedArray } from './arrays.js';
import { CheckpointError, quote } from './errors.js';
import { formatValue } from './pickle-values.js';
import { summarize } from './summary.js';

export const STATE_DICT_KEYS = ['state_dict', 'model', 'model_state_dict'];

export interface ExtraField {
  key: string;
  /** one line */
  summary: string;
  /** further lines (e.g. an optimizer's param groups), already indented by the caller's choice */
  details: string[];
}

export interface StateDict {
  tensors: Map<string, NamedArray>;
  /** '' when the top-level object is the state_dict, else the key it was under */
  location: string;
  /** the prefix removed from every key that had it ("module."), or null */
  strippedPrefix: string | null;
  extras: ExtraField[];
}

function isTensorMap(v: unknown): v is Map<unknown, unknown> {
  if (!(v instanceof Map) || v.size === 0) return false;
  for (const [k, x] of v) if (typeof k !== 'string' || !isNamedArray(x)) return false;
  return true;
}

function tensorsOf(m: Map<unknown, unknown>, where: string): Map<string, NamedArray> {
  const bad: string[] = [];
  for (const [k, x] of m) if (typeof k !== 'string' || !isNamedArray(x)) bad.push(`${formatValue(k, { maxString: 40 })} (${formatValue(x, { maxDepth: 1, maxItems: 3, maxString: 20 })})`);
  if (bad.length) throw new CheckpointError(`${where} holds non-tensor entries: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? `, ... (${bad.length})` : ''}`);
  return m as Map<string, NamedArray>;
}

/** removes "module." from keys that start with it; refuses if that makes two keys equal */
export function stripPrefix(tensors: Map<string, NamedArray>, prefix = 'module.'): { tensors: Map<string, NamedArray>; stripped: boolean } {
  if (![...tensors.keys()].some((k) => k.startsWith(prefix))) return { tensors, stripped: false };
  const out = new Map<string, NamedArray>();
  for (const [k, v] of tensors) {
    const key = k.startsWith(prefix) ? k.slice(prefix.length) : k;
    if (out.has(key)) throw new CheckpointError(`keys ${quote(key)} and ${quote(prefix + key)} both present`);
    out.set(key, v);
  }
  return { tensors: out, stripped: true };
}

/** locates the state_dict in an unpickled checkpoint */
export function findStateDict(value: unknown): StateDict {
  let location: string | null = null;
  let found: Map<string, NamedArray> | null = null;
  if (isTensorMap(value)) {
    location = '';
    found = value as Map<string, NamedArray>;
  } else if (value instanceof Map) {
    for (const key of STATE_DICT_KEYS) {
      const v = value.get(key);
      if (v instanceof Map) {
        location = key;
        found = tensorsOf(v, `"${key}"`);
        break;
      }
    }
  }
  if (found === null || location === null) {
    if (value instanceof Map) {
      const keys = [...value.keys()].slice(0, 12).map((k) => formatValue(k, { maxString: 30 }));
      if (value.size === 0) throw new CheckpointError('the checkpoint is an empty dict');
      throw new CheckpointError(`no state_dict found: the top-level dict has keys ${keys.join(', ')}${value.size > 12 ? ', ...' : ''} (expected tensors, or a "state_dict" or "model" entry)`);
    }
    throw new CheckpointError(`no state_dict found: the checkpoint holds ${formatValue(value, { maxDepth: 1, maxItems: 4 })}`);
  }
  const { tensors, stripped } = stripPrefix(found);
  const extras: ExtraField[] = [];
  if (location !== '' && value instanceof Map) {
    for (const [k, v] of value) {
      if (k === location) continue;
      const key = typeof k === 'string' ? k : formatValue(k);
      extras.push({ key, ...summarize(v) });
    }
  }
  return { tensors, location, strippedPrefix: stripped ? 'module.' : null, extras };
}
