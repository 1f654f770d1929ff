/**
 * A linear softmax classifier dressed as a SpikingModel (logits = W x01 + b, no spikes): the
 * attack target whose worst case in an L-inf ball is known in closed form. It counts the images
 * it is shown, so query budgets can be checked. With Poisson encoding it classifies the mean of
 * the T spike frames (the real encoder, so its straight-through gradient), a stochastic model.
 */
import assert from 'node:assert/strict';
import { Tensor, opResult, adoptGrad } from '../../src/tensor/tensor.js';
import type { SpikingModel, ForwardOptions, ForwardResult } from '../../src/snn/model.js';
import { Rng } from '../../src/data/rng.js';
import { encodeInput } from '../../src/snn/encoding.js';

/** [T*B, ...] step-major frames -> their mean [B, ...], with its gradient */
function meanOverSteps(frames: Tensor, steps: number): Tensor {
  const size = frames.size / steps;
  const out = new Float32Array(size);
  for (let t = 0; t < steps; t++) for (let i = 0; i < size; i++) out[i] += frames.data[t * size + i] / steps;
  return opResult(out, [frames.shape[0] / steps, ...frames.shape.slice(1)], [frames], (o) => {
    const g = new Float32Array(frames.size);
    for (let t = 0; t < steps; t++) for (let i = 0; i < size; i++) g[t * size + i] = o.grad![i] / steps;
    adoptGrad(frames, g);
  });
}

export interface LinearModel extends SpikingModel {
  weights: Float32Array;
  bias: Float32Array;
  /** images forwarded so far (every forward, with or without gradient) */
  imagesSeen: number;
}

export function linearModel(classes: number, shape: readonly [number, number, number], seed: number, scale = 1): LinearModel {
  const features = shape[0] * shape[1] * shape[2];
  const rng = new Rng(seed);
  const weights = Float32Array.from({ length: classes * features }, () => scale * (2 * rng.uniform() - 1));
  const bias = Float32Array.from({ length: classes }, () => 0.1 * (2 * rng.uniform() - 1));
  const w = new Tensor(weights, [classes, features], { requiresGrad: true });
  const model: LinearModel = {
    weights,
    bias,
    imagesSeen: 0,
    spec: { family: 'vgg', cfg: [], hidden: [], labels: classes, inChannels: shape[0], imageSize: shape[1], kernel: 3, dropout: 0 },
    normalization: { mean: Array(shape[0]).fill(0), std: Array(shape[0]).fill(1) },
    params: new Map([['weight', w]]),
    forward(input: Tensor, opts: ForwardOptions): ForwardResult {
      const n = input.shape[0];
      model.imagesSeen += n;
      const x01 = opts.encoding === 'poisson' ? meanOverSteps(encodeInput(input, input, opts).tensor, opts.timesteps) : input;
      const out = new Float32Array(n * classes);
      for (let b = 0; b < n; b++) {
        for (let j = 0; j < classes; j++) {
          let s = bias[j];
          for (let i = 0; i < features; i++) s += weights[j * features + i] * x01.data[b * features + i];
          out[b * classes + j] = s;
        }
      }
      const logits = opResult(out, [n, classes], [x01], (o) => {
        const gx = new Float32Array(x01.size);
        for (let b = 0; b < n; b++) {
          for (let i = 0; i < features; i++) {
            let s = 0;
            for (let j = 0; j < classes; j++) s += o.grad![b * classes + j] * weights[j * features + i];
            gx[b * features + i] = s;
          }
        }
        adoptGrad(x01, gx);
      });
      return { logits, spikeCounts: [] };
    },
    forwardAnn: (x01) => model.forward(x01, { timesteps: 1 }).logits,
    spikingLayers: () => [],
    weightedOps: () => [],
  };
  return model;
}

/**
 * The smallest margin z_y - max_{j != y} z_j over the eps-ball of each image within [0,1], in
 * closed form: the minimum over j of the linear margin z_y - z_j, each minimised pixel by pixel
 * (every pixel at the end of its range that lowers it); with the image attaining it.
 */
export function worstCase(model: LinearModel, x01: Float32Array, labels: ArrayLike<number>, eps: number): { margins: Float64Array; images: Float32Array } {
  const classes = model.spec.labels;
  const features = model.weights.length / classes;
  const e = Math.fround(eps);
  const images = new Float32Array(x01.length);
  const margins = new Float64Array(labels.length).fill(Infinity);
  const candidate = new Float32Array(features);
  for (let b = 0; b < labels.length; b++) {
    const y = labels[b];
    for (let j = 0; j < classes; j++) {
      if (j === y) continue;
      let m = model.bias[y] - model.bias[j];
      for (let i = 0; i < features; i++) {
        const d = model.weights[y * features + i] - model.weights[j * features + i];
        const v = x01[b * features + i];
        candidate[i] = d > 0 ? Math.max(0, Math.fround(v - e)) : Math.min(1, Math.fround(v + e));
        m += d * candidate[i];
      }
      if (m < margins[b]) {
        margins[b] = m;
        images.set(candidate, b * features);
      }
    }
  }
  return { margins, images };
}

/** a random batch of images in [0,1], labelled with the model's own predictions (all clean-correct) */
export function randomBatch(model: LinearModel, n: number, seed: number) {
  const rng = new Rng(seed);
  const { inChannels: c, imageSize: h, labels: classes } = model.spec;
  const size = c * h * h;
  const x01 = Float32Array.from({ length: n * size }, () => rng.uniform());
  const logits = model.forward(new Tensor(x01, [n, c, h, h]), { timesteps: 1 }).logits.data;
  model.imagesSeen = 0;
  const labels = Array.from({ length: n }, (_, b) => {
    const row = Array.from(logits.subarray(b * classes, (b + 1) * classes));
    return row.indexOf(Math.max(...row));
  });
  return { x01, shape: [n, c, h, h], labels };
}

/** `model` with a random batch of `n` of its own predictions and the context attacks run it in (T = 1, direct) */
export function linearTarget(model: LinearModel, n: number, batchSeed: number) {
  return { model, batch: randomBatch(model, n, batchSeed), ctx: { model, timesteps: 1 } };
}

/** every pixel of `adv` in [0,1] and within eps of `x` (eps in float32, as the attacks round it) */
export function assertInBall(adv: Float32Array, x: Float32Array, eps: number): void {
  adv.forEach((v, i) => assert.ok(v >= 0 && v <= 1 && Math.abs(v - x[i]) <= Math.fround(eps) + 1e-7, `pixel ${i}: ${v} from ${x[i]}`));
}
