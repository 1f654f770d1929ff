/**
 * Layers as a concept: each layer of a network (a conv or linear feeding neurons, a residual
 * block, the flatten, the output linear) is written once, against a Pass that says what a
 * neuron is. The spiking pass (src/snn/spiking-pass.ts) integrates and fires over T steps; the
 * ANN pass (src/snn/ann-pass.ts) applies ReLU (or the rate a spiking layer approximates).
 * A layer also declares its weights (keys and shapes under the seed's names), its neurons and
 * its multiply-accumulates, so a model, its expected state_dict and its energy account all come
 * from the same list. An architecture is a function from its spec to a list of layers.
 */
import type { Tensor } from '../tensor/tensor.js';
import { reshape } from '../tensor/ops/reshape.js';
import { add } from '../tensor/ops/add.js';
import type { SpikingLayerInfo, WeightedOp } from './model.js';

/** what the layers do at a neuron, a weighted op and a dropout: spiking over T steps or ANN */
export interface Pass {
  /** conv2d of the layer input (the first one reads the encoded image, every later one spikes) */
  conv(x: Tensor, weight: Tensor, geometry: { stride: number; pad: number }): Tensor;
  /** linear layer whose output feeds neurons */
  linear(x: Tensor, weight: Tensor): Tensor;
  /** the neurons of spiking layer `index` driven by `current` */
  fire(index: number, current: Tensor): Tensor;
  /** fire() then a 2x2 average pool */
  firePooled(index: number, current: Tensor): Tensor;
  /** dropout (training only), masks fixed over the steps */
  dropout(x: Tensor): Tensor;
  /** the output linear: summed over the steps */
  output(x: Tensor, weight: Tensor): Tensor;
}

/** a weight a layer owns: state_dict key, shape, and which of the seed's initialisations it gets */
export interface WeightDecl {
  key: string;
  shape: number[];
  init: 'conv' | 'linear';
}

/** what an op reads: the analog image or the spikes of a spiking layer (by threshold index) */
export type Source = WeightedOp['input'];

export interface Layer {
  /** weights in state_dict order */
  readonly weights: WeightDecl[];
  /** spiking layers (one threshold and leak each), in layer order */
  readonly neurons: SpikingLayerInfo[];
  /** its ops given what enters it, and what leaves it */
  ops(input: Source): { ops: WeightedOp[]; output: Source };
  run(x: Tensor, pass: Pass, weight: (key: string) => Tensor): Tensor;
}

const spikesOf = (index: number): Source => ({ kind: 'spikes', layer: index });

/** conv (no bias, same padding or strided) -> neurons -> 2x2 average pool or dropout */
export function convLif(o: { name: string; index: number; cIn: number; cOut: number; kernel: number; size: number; pool: boolean }): Layer {
  const key = `${o.name}.weight`;
  const pad = (o.kernel - 1) >> 1;
  return {
    weights: [{ key, shape: [o.cOut, o.cIn, o.kernel, o.kernel], init: 'conv' }],
    neurons: [{ index: o.index, name: o.name, neurons: o.cOut * o.size * o.size }],
    ops: (input) => ({ ops: [{ name: o.name, macs: o.cOut * o.size * o.size * o.cIn * o.kernel * o.kernel, input }], output: spikesOf(o.index) }),
    run(x, pass, w) {
      const current = pass.conv(x, w(key), { stride: 1, pad });
      return o.pool ? pass.firePooled(o.index, current) : pass.dropout(pass.fire(o.index, current));
    },
  };
}

/** linear (no bias) -> neurons -> dropout */
export function linearLif(o: { name: string; index: number; inF: number; outF: number }): Layer {
  const key = `${o.name}.weight`;
  return {
    weights: [{ key, shape: [o.outF, o.inF], init: 'linear' }],
    neurons: [{ index: o.index, name: o.name, neurons: o.outF }],
    ops: (input) => ({ ops: [{ name: o.name, macs: o.outF * o.inF, input }], output: spikesOf(o.index) }),
    run: (x, pass, w) => pass.dropout(pass.fire(o.index, pass.linear(x, w(key)))),
  };
}

/** NCHW -> [N, C*H*W] */
export function flatten(): Layer {
  return {
    weights: [],
    neurons: [],
    ops: (input) => ({ ops: [], output: input }),
    run: (x) => reshape(x, [x.shape[0], x.size / x.shape[0]]),
  };
}

/** the output linear (no neurons): logits summed over the steps */
export function outputLinear(o: { name: string; inF: number; outF: number }): Layer {
  const key = `${o.name}.weight`;
  return {
    weights: [{ key, shape: [o.outF, o.inF], init: 'linear' }],
    neurons: [],
    ops: (input) => ({ ops: [{ name: o.name, macs: o.outF * o.inF, input }], output: input }),
    run: (x, pass, w) => pass.output(x, w(key)),
  };
}

/**
 * DIET-SNN's basic block: residual = [conv3x3(stride), neurons, dropout, conv3x3], identity =
 * conv1x1(stride) when the stride or the width changes, else nothing; the second neurons
 * integrate residual + identity. Threshold indices `first` and `first + 1`.
 */
export function basicBlock(o: { name: string; first: number; cIn: number; cOut: number; stride: number; outSize: number }): Layer {
  const projection = o.stride !== 1 || o.cIn !== o.cOut;
  const k0 = `${o.name}.residual.0.weight`;
  const k3 = `${o.name}.residual.3.weight`;
  const kId = `${o.name}.identity.0.weight`;
  const neurons = o.cOut * o.outSize * o.outSize;
  return {
    weights: [
      { key: k0, shape: [o.cOut, o.cIn, 3, 3], init: 'conv' },
      { key: k3, shape: [o.cOut, o.cOut, 3, 3], init: 'conv' },
      ...(projection ? [{ key: kId, shape: [o.cOut, o.cIn, 1, 1], init: 'conv' as const }] : []),
    ],
    neurons: [
      { index: o.first, name: `${o.name}.residual.0`, neurons },
      // the second neurons integrate residual.3 + identity; named after its conv as DIET-SNN keys it
      { index: o.first + 1, name: `${o.name}.residual.3`, neurons },
    ],
    /**
     * the shortcut reads the block input's spikes like residual.0 does; a strided 1x1 shortcut
     * only touches a quarter of its inputs, its cost is still taken as MACs x the layer's mean
     * rate (the usual uniform-rate estimate)
     */
    ops: (input) => ({
      ops: [
        { name: `${o.name}.residual.0`, macs: neurons * o.cIn * 9, input },
        { name: `${o.name}.residual.3`, macs: neurons * o.cOut * 9, input: spikesOf(o.first) },
        ...(projection ? [{ name: `${o.name}.identity.0`, macs: neurons * o.cIn, input }] : []),
      ],
      output: spikesOf(o.first + 1),
    }),
    run(x, pass, w) {
      const h = pass.dropout(pass.fire(o.first, pass.conv(x, w(k0), { stride: o.stride, pad: 1 })));
      const residual = pass.conv(h, w(k3), { stride: 1, pad: 1 });
      const shortcut = projection ? pass.conv(x, w(kId), { stride: o.stride, pad: 0 }) : x;
      return pass.fire(o.first + 1, add(residual, shortcut));
    },
  };
}
