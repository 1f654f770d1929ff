/**
 * The exact state_dict a spec implies (key names and shapes, seed / DIET-SNN layouts), the one
 * strict check of a file's tensors against it (missing keys, unexpected keys and shape
 * mismatches all reported together, never ignored: a wrong file must not become a random
 * model), and the copy of checked tensors into a model.
 */
import type { ModelSpec, ResNetSpec, VggSpec } from '../snn/spec.js';
import { vggFlatFeatures } from '../snn/spec.js';
import type { SpikingModel } from '../snn/model.js';
import { CheckpointError } from './errors.js';
import { formatShape, toFloat32, type NamedArray } from './arrays.js';

export interface ExpectedKey {
  key: string;
  shape: number[];
}

/** a spiking layer's threshold and leak (0-dim) */
function neuron(out: ExpectedKey[], index: number): void {
  out.push({ key: `threshold.t${index}`, shape: [] }, { key: `leak.l${index}`, shape: [] });
}

/** seed layout: features.3i = conv i, classifier.3j = linear j, thresholds keyed by module index */
export function vggExpectedKeys(spec: VggSpec): ExpectedKey[] {
  const out: ExpectedKey[] = [];
  const k = spec.kernel;
  let cIn = spec.inChannels;
  let i = 0;
  for (const layer of spec.cfg) {
    if (layer === 'A') continue;
    out.push({ key: `features.${3 * i}.weight`, shape: [layer, cIn, k, k] });
    neuron(out, 3 * i);
    cIn = layer;
    i++;
  }
  const featuresLen = 3 * i;
  const dims = [vggFlatFeatures(spec), ...spec.hidden, spec.labels];
  for (let j = 0; j + 1 < dims.length; j++) {
    out.push({ key: `classifier.${3 * j}.weight`, shape: [dims[j + 1], dims[j]] });
    if (j < spec.hidden.length) neuron(out, featuresLen + 3 * j);
  }
  return out;
}

/** spatial size entering the classifier: the stem's avg-pool halves, each stride-2 stage halves (rounding up) */
export function resnetFeatureSize(spec: Pick<ResNetSpec, 'imageSize' | 'strides'>): number {
  let s = Math.floor(spec.imageSize / 2);
  for (const st of spec.strides) s = Math.floor((s - 1) / st) + 1;
  return s;
}

/** DIET-SNN layout: pre_process.{0,3,6}, layerK.J.residual.{0,3}, layerK.J.identity.0, classifier.0 */
export function resnetExpectedKeys(spec: ResNetSpec): ExpectedKey[] {
  const out: ExpectedKey[] = [];
  let cIn = spec.inChannels;
  spec.stem.forEach((w, i) => {
    out.push({ key: `pre_process.${3 * i}.weight`, shape: [w, cIn, 3, 3] });
    neuron(out, 3 * i);
    cIn = w;
  });
  let pos = 3 * spec.stem.length;
  spec.widths.forEach((w, s) => {
    for (let j = 0; j < spec.blocks[s]; j++) {
      const stride = j === 0 ? spec.strides[s] : 1;
      const p = `layer${s + 1}.${j}`;
      out.push({ key: `${p}.residual.0.weight`, shape: [w, cIn, 3, 3] }, { key: `${p}.residual.3.weight`, shape: [w, w, 3, 3] });
      if (stride !== 1 || cIn !== w) out.push({ key: `${p}.identity.0.weight`, shape: [w, cIn, 1, 1] });
      neuron(out, pos);
      neuron(out, pos + 1);
      pos += 2;
      cIn = w;
    }
  });
  const s = resnetFeatureSize(spec);
  out.push({ key: 'classifier.0.weight', shape: [spec.labels, cIn * s * s] });
  return out;
}

export function expectedKeys(spec: ModelSpec): ExpectedKey[] {
  return spec.family === 'vgg' ? vggExpectedKeys(spec) : resnetExpectedKeys(spec);
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
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys: ${list(missing)}`);
    if (unexpected.length) parts.push(`unexpected keys: ${list(unexpected)}`);
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
