/**
 * The spiking pass of a network: the encoded image (direct or Poisson) through the layers, all
 * T steps at once ([T*B, ...]), neurons scanning over time (src/snn/firing.ts), dropout masks
 * fixed over the steps, the output linear on the spikes summed over the steps (it is linear,
 * so that is the same sum). Every conv after the first reads spikes and every conv and hidden
 * linear feeds neurons (whose surrogate zeroes most of the gradient): the ops measure the
 * densities and run the event-driven kernels where they pay.
 */
import type { Tensor } from '../tensor/tensor.js';
import { conv2d } from '../tensor/ops/conv2d.js';
import { linear } from '../tensor/ops/linear.js';
import { normalize } from '../tensor/ops/normalize.js';
import { mulEachStep, sumSteps } from '../tensor/ops/step-ops.js';
import type { ForwardOptions, ForwardResult, Normalization } from './model.js';
import type { Pass } from './layers.js';
import { LayerFiring } from './firing.js';
import { dropoutMask } from './dropout.js';
import { encodeInput } from './encoding.js';

export class SpikingPass implements Pass {
  /** the encoded image the first layer reads */
  readonly input: Tensor;
  private readonly firing: LayerFiring;
  /** the next conv reads the analog image (direct encoding, first layer): not sparse */
  private readsImage: boolean;

  constructor(params: Map<string, Tensor>, normalization: Normalization, private readonly dropoutRate: number, x01: Tensor, private readonly opts: ForwardOptions) {
    const encoded = encodeInput(normalize(x01, normalization.mean, normalization.std), x01, opts);
    this.input = encoded.tensor;
    this.readsImage = (opts.encoding ?? 'direct') === 'direct';
    this.firing = new LayerFiring(params, opts, encoded.constant);
  }

  conv(x: Tensor, weight: Tensor, g: { stride: number; pad: number }): Tensor {
    const sparseInput = !this.readsImage;
    this.readsImage = false;
    return conv2d(x, weight, { stride: g.stride, pad: g.pad, sparseInput, sparseGrad: true });
  }

  linear(x: Tensor, weight: Tensor): Tensor {
    // spike inputs (dropout-scaled in training): event-driven weight gradient when sparse
    return linear(x, weight, { sparseInput: true, sparseGrad: true });
  }

  fire(index: number, current: Tensor): Tensor {
    return this.firing.fire(index, current);
  }

  firePooled(index: number, current: Tensor): Tensor {
    return this.firing.firePooled(index, current);
  }

  /** one mask per neuron for the whole pass, the same at every step */
  dropout(spikes: Tensor): Tensor {
    if (!this.opts.train || this.dropoutRate <= 0) return spikes;
    if (!this.opts.rng) throw new Error('training-mode forward needs a random generator for dropout');
    return mulEachStep(spikes, dropoutMask(spikes.size / this.opts.timesteps, this.dropoutRate, this.opts.rng));
  }

  output(x: Tensor, weight: Tensor): Tensor {
    return linear(sumSteps(x, this.opts.timesteps), weight);
  }

  result(logits: Tensor): ForwardResult {
    const f = this.firing;
    return { logits, spikeCounts: f.spikeCounts, ...(f.finalMembrane ? { finalMembrane: f.finalMembrane } : {}) };
  }
}
