/** Builds a model from its spec and fills it from a state_dict, strictly. */
import type { ModelSpec } from './spec.js';
import type { Normalization, SpikingModel } from './model.js';
import type { Rng } from './dropout.js';
import { SpikingVgg } from './models/vgg.js';
import { SpikingResNet } from './models/resnet.js';

export function buildModel(spec: ModelSpec, normalization: Normalization, rng?: Rng): SpikingModel {
  switch (spec.family) {
    case 'vgg':
      return new SpikingVgg(spec, normalization, rng);
    case 'resnet':
      return new SpikingResNet(spec, normalization, rng);
    default:
      throw new Error(`model family "${(spec as ModelSpec).family}" is not supported yet`);
  }
}

export interface WeightArray {
  shape: readonly number[];
  data: ArrayLike<number>;
}

function sameShape(expected: readonly number[], got: readonly number[]): boolean {
  // the seed's thresholds and leaks are 0-dim; files sometimes store them as [1]
  const norm = (s: readonly number[]) => (s.length === 1 && s[0] === 1 ? [] : s);
  const a = norm(expected);
  const b = norm(got);
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Copies a state_dict into the model. Missing keys, unexpected keys and shape mismatches are
 * all reported together (never ignored: a wrong file must not become a random model).
 */
export function loadStateDict(model: SpikingModel, state: Map<string, WeightArray>, source = 'state_dict'): void {
  const missing = [...model.params.keys()].filter((k) => !state.has(k));
  const unexpected = [...state.keys()].filter((k) => !model.params.has(k));
  const mismatched: string[] = [];
  for (const [k, p] of model.params) {
    const w = state.get(k);
    if (w && !sameShape(p.shape, w.shape)) mismatched.push(`${k} [${w.shape.join(',')}] vs model [${p.shape.join(',')}]`);
  }
  const problems: string[] = [];
  if (missing.length) problems.push(`missing keys: ${missing.join(', ')}`);
  if (unexpected.length) problems.push(`unexpected keys: ${unexpected.join(', ')}`);
  if (mismatched.length) problems.push(`shape mismatches: ${mismatched.join('; ')}`);
  if (problems.length) throw new Error(`${source} does not fit the model: ${problems.join('. ')}`);
  for (const [k, p] of model.params) {
    const w = state.get(k)!;
    for (let i = 0; i < p.size; i++) p.data[i] = Number(w.data[i]);
  }
}
