/**
 * The spiking ResNet of DIET-SNN (self_models/resnet_spiking.py), multi-step like the VGG:
 * each layer runs over all T steps at once ([T*B, ...]), then its neurons scan over time,
 * with the seed's LIF (one learnable leak and threshold per spiking layer).
 *
 * Layout and key names (DIET-SNN):
 *   pre_process = [conv3x3, LIF, Dropout, conv3x3, LIF, Dropout, conv3x3, LIF, AvgPool2d(2)]
 *     -> pre_process.{0,3,6}.weight, thresholds t0, t3, t6 (module index);
 *   layerK.J (basic block): residual = [conv3x3(stride), LIF, Dropout, conv3x3];
 *     identity = [conv1x1(stride)] when the stride or the width changes, else nothing;
 *     the block's first LIF integrates residual.0(x), the second residual.3(h) + identity(x)
 *     (x = the block input's spikes). Thresholds: a running position from len(pre_process),
 *     two per block (first LIF, then second);
 *   classifier.0: Linear(widths[-1] * s * s -> labels) on the flattened NCHW spikes, no LIF,
 *     its outputs summed over the steps.
 * 3x3 convs have padding 1 (the stride on the block's first conv), 1x1 shortcuts padding 0.
 */
import { Tensor } from '../../tensor/tensor.js';
import { conv2d } from '../../tensor/ops/conv2d.js';
import { linear } from '../../tensor/ops/linear.js';
import { add } from '../../tensor/ops/add.js';
import { avgPool2d } from '../../tensor/ops/avg-pool.js';
import { reshape } from '../../tensor/ops/reshape.js';
import { normalize } from '../../tensor/ops/normalize.js';
import { mulEachStep, sumSteps } from '../../tensor/ops/step-ops.js';
import { relu, mulMask } from '../../tensor/ops/relu.js';
import type { ResNetSpec } from '../spec.js';
import type { ForwardOptions, ForwardResult, Normalization, SpikingLayerInfo, SpikingModel, WeightedOp } from '../model.js';
import { LayerFiring } from '../firing.js';
import { dropoutMask, type Rng } from '../dropout.js';
import { encodeInput } from '../encoding.js';
import { initWeight } from '../init.js';

interface StemConv {
  /** module index in pre_process = threshold index */
  index: number;
  cIn: number;
  cOut: number;
  /** spatial size of input and output (3x3, padding 1) */
  size: number;
  /** followed by AvgPool2d(2) (the last stem conv) instead of dropout */
  pool: boolean;
}

interface Block {
  /** module name, e.g. layer2.0 */
  name: string;
  cIn: number;
  cOut: number;
  stride: number;
  inSize: number;
  outSize: number;
  /** 1x1 conv shortcut (identity.0) when stride or width changes */
  projection: boolean;
  /** threshold index of the first LIF; the second is first + 1 */
  first: number;
  /** spiking layer whose spikes enter the block (through the stem's avg-pool for layer1.0) */
  inputLayer: number;
}

/** a 3x3 / 1x1 conv output size: floor((s + 2 pad - k) / stride) + 1 */
function convOut(size: number, k: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - k) / stride) + 1;
}

export class SpikingResNet implements SpikingModel {
  readonly params = new Map<string, Tensor>();
  private readonly stem: StemConv[] = [];
  private readonly blocks: Block[] = [];
  private readonly classifierShape: [number, number];
  /** spatial size entering the classifier */
  readonly featureSize: number;

  constructor(readonly spec: ResNetSpec, readonly normalization: Normalization, rng?: Rng) {
    const stages = spec.widths.length;
    if (stages === 0 || spec.blocks.length !== stages || spec.strides.length !== stages) {
      throw new Error(`resnet spec: ${stages} widths, ${spec.blocks.length} block counts and ${spec.strides.length} strides must agree (and be at least one)`);
    }
    if (spec.stem.length === 0) throw new Error('resnet spec: the stem needs at least one conv');
    spec.blocks.forEach((n, s) => {
      // DIET-SNN builds an empty stage for 0 blocks but its neuron_init then fails; refuse it here
      if (!Number.isInteger(n) || n < 1) throw new Error(`resnet spec: stage ${s + 1} has ${n} blocks, need at least 1`);
    });

    let cIn = spec.inChannels;
    let size = spec.imageSize;
    spec.stem.forEach((cOut, i) => {
      const pool = i === spec.stem.length - 1;
      this.stem.push({ index: 3 * i, cIn, cOut, size, pool });
      cIn = cOut;
      if (pool) size = Math.floor(size / 2);
    });
    if (size < 1) throw new Error(`resnet spec: image size ${spec.imageSize} is too small for the stem's avg-pool`);
    let pos = 3 * spec.stem.length;
    let inputLayer = this.stem[this.stem.length - 1].index;
    spec.widths.forEach((cOut, s) => {
      for (let j = 0; j < spec.blocks[s]; j++) {
        const stride = j === 0 ? spec.strides[s] : 1;
        const outSize = convOut(size, 3, stride, 1);
        this.blocks.push({ name: `layer${s + 1}.${j}`, cIn, cOut, stride, inSize: size, outSize, projection: stride !== 1 || cIn !== cOut, first: pos, inputLayer });
        inputLayer = pos + 1;
        pos += 2;
        cIn = cOut;
        size = outSize;
      }
    });
    this.featureSize = size;
    this.classifierShape = [spec.labels, cIn * size * size];

    // state_dict order of DIET-SNN: modules (pre_process, layer1..K, classifier), then the
    // threshold and leak ParameterDicts, whose keys torch 1.x keeps sorted as strings (t0, t10, ..., t3)
    for (const c of this.stem) this.params.set(`pre_process.${c.index}.weight`, initWeight([c.cOut, c.cIn, 3, 3], 'conv', rng));
    for (const b of this.blocks) {
      this.params.set(`${b.name}.residual.0.weight`, initWeight([b.cOut, b.cIn, 3, 3], 'conv', rng));
      this.params.set(`${b.name}.residual.3.weight`, initWeight([b.cOut, b.cOut, 3, 3], 'conv', rng));
      if (b.projection) this.params.set(`${b.name}.identity.0.weight`, initWeight([b.cOut, b.cIn, 1, 1], 'conv', rng));
    }
    this.params.set('classifier.0.weight', initWeight(this.classifierShape, 'linear', rng));
    const byKey = (prefix: string) => this.spikingIndices().map((l) => `${prefix}${l}`).sort();
    for (const k of byKey('threshold.t')) this.params.set(k, Tensor.scalar(1, true));
    for (const k of byKey('leak.l')) this.params.set(k, Tensor.scalar(1, true));
    for (const t of this.params.values()) t.requiresGrad = true;
  }

  /** threshold indices in layer (= numeric) order */
  private spikingIndices(): number[] {
    return [...this.stem.map((c) => c.index), ...this.blocks.flatMap((b) => [b.first, b.first + 1])];
  }

  private p(key: string): Tensor {
    const t = this.params.get(key);
    if (!t) throw new Error(`missing parameter ${key}`);
    return t;
  }

  forward(x01: Tensor, opts: ForwardOptions): ForwardResult {
    const steps = opts.timesteps;
    const train = opts.train ?? false;
    const input = encodeInput(normalize(x01, this.normalization.mean, this.normalization.std), x01, opts);
    let x = input.tensor;

    const firing = new LayerFiring(this.params, opts, input.constant);
    const fire = (index: number, current: Tensor): Tensor => firing.fire(index, current);
    // one mask per neuron for the whole pass, the same at every step
    const dropout = (spikes: Tensor): Tensor => {
      if (!train || this.spec.dropout <= 0) return spikes;
      if (!opts.rng) throw new Error('training-mode forward needs a random generator for dropout');
      return mulEachStep(spikes, dropoutMask(spikes.size / steps, this.spec.dropout, opts.rng));
    };

    // every conv after the first reads spikes (or pooled / dropout-scaled spikes), and every conv
    // feeds a spiking layer (the surrogate zeroes most of its gradient): conv2d measures the
    // densities and runs the event-driven kernels where they pay
    const poisson = (opts.encoding ?? 'direct') === 'poisson';
    for (const c of this.stem) {
      const sparseInput = c !== this.stem[0] || poisson;
      const current = conv2d(x, this.p(`pre_process.${c.index}.weight`), { pad: 1, sparseInput, sparseGrad: true });
      x = c.pool ? firing.firePooled(c.index, current) : dropout(fire(c.index, current));
    }
    for (const b of this.blocks) {
      const sparseInput = true;
      const h = dropout(fire(b.first, conv2d(x, this.p(`${b.name}.residual.0.weight`), { stride: b.stride, pad: 1, sparseInput, sparseGrad: true })));
      const residual = conv2d(h, this.p(`${b.name}.residual.3.weight`), { pad: 1, sparseInput, sparseGrad: true });
      const shortcut = b.projection ? conv2d(x, this.p(`${b.name}.identity.0.weight`), { stride: b.stride, sparseInput, sparseGrad: true }) : x;
      x = fire(b.first + 1, add(residual, shortcut));
    }
    x = reshape(x, [x.shape[0], x.size / x.shape[0]]);
    // the classifier is linear, so summing its input over the steps first gives the same sum
    const logits = linear(sumSteps(x, steps), this.p('classifier.0.weight'));
    return { logits, spikeCounts: firing.spikeCounts, ...(firing.finalMembrane ? { finalMembrane: firing.finalMembrane } : {}) };
  }

  /** the same network with ReLU for LIF (DIET-SNN's ANN ResNet: relu(residual(x) + identity(x))) */
  forwardAnn(x01: Tensor, opts: { train?: boolean; rng?: Rng }): Tensor {
    const train = opts.train ?? false;
    const dropout = (a: Tensor): Tensor => {
      if (!train || this.spec.dropout <= 0) return a;
      if (!opts.rng) throw new Error('training-mode forward needs a random generator for dropout');
      return mulMask(a, dropoutMask(a.size, this.spec.dropout, opts.rng));
    };
    let x = normalize(x01, this.normalization.mean, this.normalization.std);
    for (const c of this.stem) {
      x = relu(conv2d(x, this.p(`pre_process.${c.index}.weight`), { pad: 1 }));
      x = c.pool ? avgPool2d(x, 2) : dropout(x);
    }
    for (const b of this.blocks) {
      const h = dropout(relu(conv2d(x, this.p(`${b.name}.residual.0.weight`), { stride: b.stride, pad: 1 })));
      const residual = conv2d(h, this.p(`${b.name}.residual.3.weight`), { pad: 1 });
      const shortcut = b.projection ? conv2d(x, this.p(`${b.name}.identity.0.weight`), { stride: b.stride }) : x;
      x = relu(add(residual, shortcut));
    }
    x = reshape(x, [x.shape[0], x.size / x.shape[0]]);
    return linear(x, this.p('classifier.0.weight'));
  }

  spikingLayers(): SpikingLayerInfo[] {
    return [
      ...this.stem.map((c) => ({ index: c.index, name: `pre_process.${c.index}`, neurons: c.cOut * c.size * c.size })),
      ...this.blocks.flatMap((b) => {
        const neurons = b.cOut * b.outSize * b.outSize;
        return [
          { index: b.first, name: `${b.name}.residual.0`, neurons },
          // the second LIF integrates residual.3 + identity; named after its conv as DIET-SNN keys it
          { index: b.first + 1, name: `${b.name}.residual.3`, neurons },
        ];
      }),
    ];
  }

  /**
   * Every conv (the 1x1 shortcut included) and the classifier. The first stem conv reads the
   * analog image (MACs, once per image); every other op reads the spikes of one spiking layer
   * (ACs per input spike): the shortcut reads the block input's spikes like residual.0 does
   * (for layer1.0 through the stem's avg-pool, which keeps the mean rate). A strided 1x1
   * shortcut only touches a quarter of its inputs; its cost is still taken as MACs x the
   * layer's mean rate, the usual uniform-rate estimate.
   */
  weightedOps(): WeightedOp[] {
    const spikes = (layer: number): WeightedOp['input'] => ({ kind: 'spikes', layer });
    const ops: WeightedOp[] = this.stem.map((c, i) => ({
      name: `pre_process.${c.index}`,
      macs: c.cOut * c.size * c.size * c.cIn * 9,
      input: i === 0 ? { kind: 'analog' } : spikes(this.stem[i - 1].index),
    }));
    for (const b of this.blocks) {
      const out = b.cOut * b.outSize * b.outSize;
      ops.push({ name: `${b.name}.residual.0`, macs: out * b.cIn * 9, input: spikes(b.inputLayer) });
      ops.push({ name: `${b.name}.residual.3`, macs: out * b.cOut * 9, input: spikes(b.first) });
      if (b.projection) ops.push({ name: `${b.name}.identity.0`, macs: out * b.cIn, input: spikes(b.inputLayer) });
    }
    const last = this.spikingIndices().at(-1)!;
    ops.push({ name: 'classifier.0', macs: this.classifierShape[0] * this.classifierShape[1], input: spikes(last) });
    return ops;
  }
}
