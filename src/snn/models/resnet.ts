/**
 * The spiking ResNet of DIET-SNN (self_models/resnet_spiking.py) as a list of layers, with the
 * seed's LIF (one learnable leak and threshold per spiking layer).
 *
 * Layout and key names (DIET-SNN):
 *   pre_process = [conv3x3, LIF, Dropout, conv3x3, LIF, Dropout, conv3x3, LIF, AvgPool2d(2)]
 *     -> pre_process.{0,3,6}.weight, thresholds t0, t3, t6 (module index);
 *   layerK.J (basic block, src/snn/layers.ts): thresholds at a running position from
 *     len(pre_process), two per block (first LIF, then second);
 *   classifier.0: Linear(widths[-1] * s * s -> labels) on the flattened NCHW spikes, no LIF,
 *     its outputs summed over the steps.
 * 3x3 convs have padding 1 (the stride on the block's first conv), 1x1 shortcuts padding 0.
 */
import type { ResNetSpec } from '../spec.js';
import { basicBlock, convLif, flatten, outputLinear, type Layer } from '../layers.js';
import type { Architecture } from '../network.js';

/** a 3x3 conv's output size with padding 1: floor((s + 2 - 3) / stride) + 1 */
const convOut = (size: number, stride: number) => Math.floor((size - 1) / stride) + 1;

/** spatial size entering the classifier: the stem's avg-pool halves, each strided stage shrinks */
export function resnetFeatureSize(spec: Pick<ResNetSpec, 'imageSize' | 'strides'>): number {
  let s = Math.floor(spec.imageSize / 2);
  for (const st of spec.strides) s = convOut(s, st);
  return s;
}

export function resnetArchitecture(spec: ResNetSpec): Architecture {
  const stages = spec.widths.length;
  if (stages === 0 || spec.blocks.length !== stages || spec.strides.length !== stages) {
    throw new Error(`resnet spec: ${stages} widths, ${spec.blocks.length} block counts and ${spec.strides.length} strides must agree (and be at least one)`);
  }
  if (spec.stem.length === 0) throw new Error('resnet spec: the stem needs at least one conv');
  spec.blocks.forEach((n, s) => {
    // DIET-SNN builds an empty stage for 0 blocks but its neuron_init then fails; refuse it here
    if (!Number.isInteger(n) || n < 1) throw new Error(`resnet spec: stage ${s + 1} has ${n} blocks, need at least 1`);
  });
  const layers: Layer[] = [];
  let cIn = spec.inChannels;
  let size = spec.imageSize;
  spec.stem.forEach((cOut, i) => {
    const pool = i === spec.stem.length - 1;
    layers.push(convLif({ name: `pre_process.${3 * i}`, index: 3 * i, cIn, cOut, kernel: 3, size, pool }));
    cIn = cOut;
    if (pool) size = Math.floor(size / 2);
  });
  if (size < 1) throw new Error(`resnet spec: image size ${spec.imageSize} is too small for the stem's avg-pool`);
  let first = 3 * spec.stem.length;
  spec.widths.forEach((cOut, s) => {
    for (let j = 0; j < spec.blocks[s]; j++) {
      const stride = j === 0 ? spec.strides[s] : 1;
      size = convOut(size, stride);
      layers.push(basicBlock({ name: `layer${s + 1}.${j}`, first, cIn, cOut, stride, outSize: size }));
      first += 2;
      cIn = cOut;
    }
  });
  layers.push(flatten(), outputLinear({ name: 'classifier.0', inF: cIn * size * size, outF: spec.labels }));
  return { layers, neuronKeyOrder: 'string' };
}
