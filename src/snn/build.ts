/** Builds a model from its spec (weights from the generator, or zeros; src/io/spec-keys.ts fills them from a file). */
import type { ModelSpec } from './spec.js';
import type { Normalization, SpikingModel } from './model.js';
import type { Rng } from './dropout.js';
import { Network, type Architecture } from './network.js';
import { vggArchitecture } from './models/vgg.js';
import { resnetArchitecture } from './models/resnet.js';

/** the layer list a spec describes */
export function architectureOf(spec: ModelSpec): Architecture {
  switch (spec.family) {
    case 'vgg':
      return vggArchitecture(spec);
    case 'resnet':
      return resnetArchitecture(spec);
    default:
      throw new Error(`model family "${(spec as ModelSpec).family}" is not supported yet`);
  }
}

export function buildModel(spec: ModelSpec, normalization: Normalization, rng?: Rng): SpikingModel {
  return new Network(spec, normalization, architectureOf(spec), rng);
}
