/** Builds a model from its spec (weights from the generator, or zeros; src/io/spec-keys.ts fills them from a file). */
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
