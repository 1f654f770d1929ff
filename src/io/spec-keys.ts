/**
 * The exact state_dict a spec implies (its layers' keys and shapes: seed / DIET-SNN names), the one
 * strict check of a file's tensors against it (missing keys, unexpected keys and shape
 * mismatches all reported together, never ignored: a wrong file must not become a random
 * model), and the copy of checked tensors into a model.
 */
import type { ModelSpec } from '../snn/spec.js';
import { architectureOf } from '../snn/build.js';
import { stateDictLayout } from '../snn/network.js';
import type { SpikingModel } from '../snn/model.js';
import { CheckpointError, quote } from './errors.js';
import { formatShape, toFloat32, type NamedArray } from './arrays.js';

export interface ExpectedKey {
  key: string;
  shape: number[];
}

/** the model's own layout (src/snn/network.ts): its layers' weights, then thresholds and leaks */
export function expectedKeys(spec: ModelSpec): ExpectedKey[] {
  return stateDictLayout(architectureOf(spec));
}

/** shapes equal, counting a 1-element [1] as the 0-dim [] (files sometimes store thresholds so) */
export function shapesMatch(expected: readonly number[], got: readonly number[]): boolean {
  const norm = (s: readonly number[]) => (s.length === 1 && s[0] === 1 ? [] : s);
  const a = norm(expected);
  const b = norm(got);
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export class StateDictMismatch extends CheckpointError {
  override name = 'StateDictMismatch';

  constructor(
    source: string,
    readonly missing: string[],
    readonly unexpected: string[],
    readonly mismatched: { key: string; file: number[]; model: number[] }[],
  ) {
    const list = (xs: string[]) => `${xs.slice(0, 8).join(', ')}${xs.length > 8 ? `, ... (${xs.length} in all)` : ''}`;
    // a key from the file is shown quoted unless plainly printable: a newline in a key must not split the line
    const keys = (xs: string[]) => list(xs.map((k) => (/^[\x21-\x7e]+$/.test(k) ? k : quote(k))));
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys: ${keys(missing)}`);
    if (unexpected.length) parts.push(`unexpected keys: ${keys(unexpected)}`);
    if (mismatched.length) parts.push(`shape mismatches: ${list(mismatched.map((m) => `${m.key} ${formatShape(m.file)} in the file vs ${formatShape(m.model)} in the model`))}`);
    super(`${source} does not fit the model: ${parts.join('; ')}`);
  }
}

/** throws StateDictMismatch unless `tensors` has exactly the keys and shapes `spec` needs */
export function checkStateDict(tensors: ReadonlyMap<string, { shape: readonly number[] }>, spec: ModelSpec, source = 'state_dict'): void {
  const expected = expectedKeys(spec);
  const want = new Map(expected.map((e) => [e.key, e.shape]));
  const missing = expected.filter((e) => !tensors.has(e.key)).map((e) => e.key);
  const unexpected = [...tensors.keys()].filter((k) => !want.has(k));
  const mismatched: StateDictMismatch['mismatched'] = [];
  for (const e of expected) {
    const t = tensors.get(e.key);
    if (t && !shapesMatch(e.shape, t.shape)) mismatched.push({ key: e.key, file: [...t.shape], model: e.shape });
  }
  if (missing.length || unexpected.length || mismatched.length) throw new StateDictMismatch(source, missing, unexpected, mismatched);
}

/** float values in a state_dict: a file's arrays (any dtype) or plain float arrays */
export type StateValues = ReadonlyMap<string, NamedArray | { shape: readonly number[]; data: Float32Array }>;

/** checks `state` against the model's spec (checkStateDict), then copies it into the model's parameters */
export function loadStateDict(model: SpikingModel, state: StateValues, source = 'state_dict'): void {
  checkStateDict(state, model.spec, source);
  for (const [k, p] of model.params) {
    const w = state.get(k)!;
    p.data.set('dtype' in w ? toFloat32(w) : w.data);
  }
}
