/**
 * The seed's spiking VGG (vgg_spiking_nodewise.py), multi-step: each layer runs over all
 * T steps at once, then its neurons scan over time. Same function as the seed's time loop.
 *
 * Seed layout: features = [conv, ReLU, Dropout|AvgPool] per conv (so conv i is features.3i),
 * classifier = [Linear, ReLU, Dropout] per hidden layer then the output Linear.
 * Thresholds/leaks are keyed by module index: t{3i} for convs, t{len(features)+3j} for
 * hidden linears.
 */
import { Tensor } from '../../tensor/tensor.js';
import { conv2d } from '../../tensor/ops/conv2d.js';
import { linear } from '../../tensor/ops/linear.js';
import { avgPool2d } from '../../tensor/ops/avg-pool.js';
import { reshape } from '../../tensor/ops/reshape.js';
import { normalize } from '../../tensor/ops/normalize.js';
import { mulEachStep, sumSteps } from '../../tensor/ops/step-ops.js';
import { relu, mulMask } from '../../tensor/ops/relu.js';
import type { VggSpec } from '../spec.js';
import { vggFeatureSize } from '../spec.js';
import type { ForwardOptions, ForwardResult, Normalization, SpikingLayerInfo, SpikingModel, WeightedOp } from '../model.js';
import { LayerFiring } from '../firing.js';
import { dropoutMask, type Rng } from '../dropout.js';
import { encodeInput } from '../encoding.js';
import { initWeight } from '../init.js';

interface ConvStage {
  index: number;
  cIn: number;
  cOut: number;
  /** spatial size of its input (= output, 3x3 same padding) */
  size: number;
  pool: boolean;
}

interface HiddenStage {
  index: number;
  inF: number;
  outF: number;
}

export class SpikingVgg implements SpikingModel {
  readonly params = new Map<string, Tensor>();
  private readonly convs: ConvStage[] = [];
  private readonly hidden: HiddenStage[] = [];
  private readonly outputKey: string;
  private readonly outputShape: [number, number];

  constructor(readonly spec: VggSpec, readonly normalization: Normalization, rng?: Rng) {
    let cIn = spec.inChannels;
    let size = spec.imageSize;
    spec.cfg.forEach((layer, i) => {
      if (layer === 'A') {
        const prev = spec.cfg[i - 1];
        if (i === 0 || prev === 'A') throw new Error(`layer list: 'A' must follow a conv width (position ${i + 1})`);
        return;
      }
      const pool = spec.cfg[i + 1] === 'A';
      this.convs.push({ index: 3 * this.convs.length, cIn, cOut: layer, size, pool });
      cIn = layer;
      if (pool) size = Math.floor(size / 2);
    });
    if (this.convs.length === 0) throw new Error('layer list has no conv layer');
    const featureModules = 3 * this.convs.length;
    let inF = cIn * vggFeatureSize(spec) * vggFeatureSize(spec);
    spec.hidden.forEach((outF, j) => {
      this.hidden.push({ index: featureModules + 3 * j, inF, outF });
      inF = outF;
    });
    this.outputKey = `classifier.${3 * spec.hidden.length}.weight`;
    this.outputShape = [spec.labels, inF];

    // state_dict order of the seed: features, classifier, then threshold and leak dicts
    for (const c of this.convs) this.params.set(`features.${c.index}.weight`, initWeight([c.cOut, c.cIn, spec.kernel, spec.kernel], 'conv', rng));
    this.hidden.forEach((h, j) => this.params.set(`classifier.${3 * j}.weight`, initWeight([h.outF, h.inF], 'linear', rng)));
    this.params.set(this.outputKey, initWeight(this.outputShape, 'linear', rng));
    const layers = this.spikingIndices();
    for (const l of layers) this.params.set(`threshold.t${l}`, Tensor.scalar(1, true));
    for (const l of layers) this.params.set(`leak.l${l}`, Tensor.scalar(1, true));
    for (const t of this.params.values()) t.requiresGrad = true;
  }

  private spikingIndices(): number[] {
    return [...this.convs.map((c) => c.index), ...this.hidden.map((h) => h.index)];
  }

  private p(key: string): Tensor {
    const t = this.params.get(key);
    if (!t) throw new Error(`missing parameter ${key}`);
    return t;
  }

  forward(x01: Tensor, opts: ForwardOptions): ForwardResult {
    const steps = opts.timesteps;
    const batch = x01.shape[0];
    const train = opts.train ?? false;
    const input = encodeInput(normalize(x01, this.normalization.mean, this.normalization.std), x01, opts);
    let x = input.tensor;

    const firing = new LayerFiring(this.params, opts, input.constant);
    const fire = (index: number, current: Tensor): Tensor => firing.fire(index, current);

    for (const c of this.convs) {
      // after the first layer the input is spikes (or pooled spikes): event-driven when sparse
      const sparseInput = c.index > 0 || (opts.encoding ?? 'direct') === 'poisson';
      const current = conv2d(x, this.p(`features.${c.index}.weight`), { pad: (this.spec.kernel - 1) >> 1, sparseInput, sparseGrad: true });
      if (c.pool) {
        x = firing.firePooled(c.index, current);
      } else {
        x = fire(c.index, current);
        if (train) x = mulEachStep(x, dropoutMask(x.size / steps, this.spec.dropout, opts.rng!));
      }
    }
    x = reshape(x, [x.shape[0], x.size / x.shape[0]]);
    for (const h of this.hidden) {
      // spike inputs (dropout-scaled in training): event-driven weight gradient when sparse
      x = fire(h.index, linear(x, this.p(`classifier.${h.index - 3 * this.convs.length}.weight`), { sparseInput: true, sparseGrad: true }));
      if (train) x = mulEachStep(x, dropoutMask(x.size / steps, this.spec.dropout, opts.rng!));
    }
    // the output layer is linear, so summing its input over the steps first is the same sum
    const logits = linear(sumSteps(x, steps), this.p(this.outputKey));
    if (logits.shape[0] !== batch) throw new Error('internal: batch mismatch');
    return { logits, spikeCounts: firing.spikeCounts, ...(firing.finalMembrane ? { finalMembrane: firing.finalMembrane } : {}) };
  }

  forwardAnn(x01: Tensor, opts: { train?: boolean; rng?: Rng }): Tensor {
    const train = opts.train ?? false;
    let x = normalize(x01, this.normalization.mean, this.normalization.std);
    for (const c of this.convs) {
      x = relu(conv2d(x, this.p(`features.${c.index}.weight`), { pad: (this.spec.kernel - 1) >> 1 }));
      if (c.pool) x = avgPool2d(x, 2);
      else if (train) x = mulMask(x, dropoutMask(x.size, this.spec.dropout, opts.rng!));
    }
    x = reshape(x, [x.shape[0], x.size / x.shape[0]]);
    for (const h of this.hidden) {
      x = relu(linear(x, this.p(`classifier.${h.index - 3 * this.convs.length}.weight`)));
      if (train) x = mulMask(x, dropoutMask(x.size, this.spec.dropout, opts.rng!));
    }
    return linear(x, this.p(this.outputKey));
  }

  spikingLayers(): SpikingLayerInfo[] {
    return [
      ...this.convs.map((c) => ({ index: c.index, name: `features.${c.index}`, neurons: c.cOut * c.size * c.size })),
      ...this.hidden.map((h, j) => ({ index: h.index, name: `classifier.${3 * j}`, neurons: h.outF })),
    ];
  }

  weightedOps(): WeightedOp[] {
    const k2 = this.spec.kernel * this.spec.kernel;
    const layers = this.spikingIndices();
    const input = (i: number): WeightedOp['input'] => (i === 0 ? { kind: 'analog' } : { kind: 'spikes', layer: layers[i - 1] });
    const convs = this.convs.map((c, i) => ({ name: `features.${c.index}`, macs: c.cOut * c.size * c.size * c.cIn * k2, input: input(i) }));
    const hidden = this.hidden.map((h, j) => ({ name: `classifier.${3 * j}`, macs: h.outF * h.inF, input: input(this.convs.length + j) }));
    const output = { name: this.outputKey.replace(/\.weight$/, ''), macs: this.outputShape[0] * this.outputShape[1], input: input(layers.length) };
    return [...convs, ...hidden, output];
  }
}
