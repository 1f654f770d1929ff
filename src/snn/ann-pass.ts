/**
 * The ANN pass of a network: the same layers and weights with a static activation where the
 * neurons were (AnnActivation): ReLU, the network pretrained before conversion (and DIET-SNN's
 * ANN ResNet), or the rate a spiking layer approximates, the ANN counterpart a transfer attack
 * crafts on.
 */
import type { Tensor } from '../tensor/tensor.js';
import { conv2d } from '../tensor/ops/conv2d.js';
import { linear } from '../tensor/ops/linear.js';
import { avgPool2d } from '../tensor/ops/avg-pool.js';
import { normalize } from '../tensor/ops/normalize.js';
import { relu, mulMask } from '../tensor/ops/relu.js';
import { clampScaled } from '../tensor/ops/clamp-scaled.js';
import type { AnnOptions, Normalization } from './model.js';
import type { Pass } from './layers.js';
import { dropoutMask } from './dropout.js';

export class AnnPass implements Pass {
  constructor(private readonly params: Map<string, Tensor>, private readonly normalization: Normalization, private readonly dropoutRate: number, private readonly opts: AnnOptions) {}

  input(x01: Tensor): Tensor {
    return normalize(x01, this.normalization.mean, this.normalization.std);
  }

  conv(x: Tensor, weight: Tensor, g: { stride: number; pad: number }): Tensor {
    return conv2d(x, weight, { stride: g.stride, pad: g.pad });
  }

  linear(x: Tensor, weight: Tensor): Tensor {
    return linear(x, weight);
  }

  fire(index: number, current: Tensor): Tensor {
    if ((this.opts.activation ?? 'relu') === 'relu') return relu(current);
    const threshold = this.params.get(`threshold.t${index}`);
    if (!threshold) throw new Error(`missing parameter threshold.t${index}`);
    return clampScaled(current, threshold.data[0]);
  }

  firePooled(index: number, current: Tensor): Tensor {
    return avgPool2d(this.fire(index, current), 2);
  }

  dropout(x: Tensor): Tensor {
    if (!this.opts.train || this.dropoutRate <= 0) return x;
    if (!this.opts.rng) throw new Error('training-mode forward needs a random generator for dropout');
    return mulMask(x, dropoutMask(x.size, this.dropoutRate, this.opts.rng));
  }

  output(x: Tensor, weight: Tensor): Tensor {
    return linear(x, weight);
  }
}
