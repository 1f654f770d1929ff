/**
 * Shared pieces of the attacks (torchattacks' spirit: one attack per file over this base).
 * Attacks work in [0,1] pixel space; the model normalises its input itself, so gradients
 * flow through the normalisation, and the model runs in eval mode (no dropout) with BPTT
 * through the surrogate over all T steps; losses are functions of the summed output (losses.ts).
 */
import { Tensor, backward, noGrad } from '../tensor/tensor.js';
import { releasingBuffers } from '../tensor/buffer.js';
import type { SpikingModel } from '../snn/model.js';
import type { Rng } from '../snn/dropout.js';
import type { Surrogate } from '../kernels/backend.js';
import { AttackOptionError, checkWhole } from './options.js';
import { crossEntropyLoss, type LogitLoss } from './losses.js';
import type { Batch } from '../data/batch.js';

export type { Batch };

/** what an attack runs against: the model and how its forward passes are taken */
export interface AttackContext {
  model: SpikingModel;
  timesteps: number;
  /** input encoding of every forward (default direct); poisson needs `rng` */
  encoding?: 'direct' | 'poisson';
  /** the ds/dz the spiking layers' backward uses (default: the model's training surrogate) */
  surrogate?: Surrogate;
  /** EOT (Athalye et al. 2018): gradient samples averaged per step for stochastic forwards (default 1) */
  eot?: number;
  /** the draws of stochastic forwards (Poisson spikes), separate from the attack's own generator */
  rng?: Rng;
}

export interface Attack {
  /** the registry name */
  readonly name: string;
  /** adversarial images for the batch, same shape, in [0,1] and within the attack's eps-ball */
  perturb(ctx: AttackContext, batch: Batch): Float32Array;
}

function forwardOptions(ctx: AttackContext) {
  if (ctx.encoding === 'poisson' && !ctx.rng) throw new AttackOptionError('Poisson encoding needs a random generator in the attack context');
  return { timesteps: ctx.timesteps, encoding: ctx.encoding, rng: ctx.rng, surrogate: ctx.surrogate };
}

/** the loss at a point, per sample, with the logits it came from and its input gradient */
export interface LossGradient {
  /** d(mean loss)/d x01, same shape as the batch */
  grad: Float32Array;
  /** mean over the batch */
  loss: number;
  /** per sample */
  losses: Float64Array;
  /** [B, classes] */
  logits: Float32Array;
}

function oneGradient(ctx: AttackContext, x01: Float32Array, batch: Batch, lossFn: LogitLoss): LossGradient {
  const x = new Tensor(x01, batch.shape, { requiresGrad: true });
  const out = ctx.model.forward(x, forwardOptions(ctx));
  const logits = Float32Array.from(out.logits.data);
  const { values, grad } = lossFn.evaluate(logits, batch.labels, ctx.model.spec.labels, batch.targets);
  // nothing of the graph outlives this call but the input's gradient
  backward(out.logits, grad, { releaseTape: true });
  let loss = 0;
  for (const v of values) loss += v;
  return { grad: x.grad ?? new Float32Array(x01.length), loss: loss / values.length, losses: values, logits };
}

/**
 * Gradient of the mean loss (default: cross-entropy) w.r.t. the [0,1] input; parameters get no
 * gradient. With ctx.eot = N > 1, gradients, losses and logits are the means over N draws of a
 * stochastic forward (N = 1 is exactly the plain gradient).
 */
export function inputGradient(ctx: AttackContext, x01: Float32Array, batch: Batch, lossFn: LogitLoss = crossEntropyLoss): LossGradient {
  const samples = ctx.eot ?? 1;
  checkWhole(samples, 'EOT samples');
  const saved = [...ctx.model.params.values()].map((p) => p.requiresGrad);
  for (const p of ctx.model.params.values()) p.requiresGrad = false;
  try {
    const first = oneGradient(ctx, x01, batch, lossFn);
    if (samples === 1) return first;
    const sums = [first.grad, first.losses, first.logits].map((a) => Float64Array.from(a));
    for (let s = 1; s < samples; s++) {
      const g = oneGradient(ctx, x01, batch, lossFn);
      [g.grad, g.losses, g.logits].forEach((a, k) => {
        for (let i = 0; i < a.length; i++) sums[k][i] += a[i];
      });
    }
    const mean = (a: Float64Array) => a.map((v) => v / samples);
    const losses = mean(sums[1]);
    return { grad: Float32Array.from(mean(sums[0])), loss: losses.reduce((t, v) => t + v, 0) / losses.length, losses, logits: Float32Array.from(mean(sums[2])) };
  } finally {
    [...ctx.model.params.values()].forEach((p, i) => (p.requiresGrad = saved[i]));
  }
}

/** logits [B, classes] of one forward without gradient (one draw for a stochastic encoding) */
export function predict(ctx: AttackContext, x01: Float32Array, shape: readonly number[]): Float32Array {
  const out = releasingBuffers(
    () => noGrad(() => ctx.model.forward(new Tensor(x01, shape), forwardOptions(ctx))),
    (r) => [r.logits.data],
  );
  return out.logits.data;
}

/**
 * Logits [B, classes] averaged over ctx.eot draws of a stochastic forward (EOT for score-based
 * attacks; eot 1 is exactly `predict`): ctx.eot forward passes per image.
 */
export function expectedLogits(ctx: AttackContext, x01: Float32Array, shape: readonly number[]): Float32Array {
  const samples = ctx.eot ?? 1;
  checkWhole(samples, 'EOT samples');
  const first = predict(ctx, x01, shape);
  if (samples === 1) return first;
  const sum = Float64Array.from(first);
  for (let s = 1; s < samples; s++) predict(ctx, x01, shape).forEach((v, i) => (sum[i] += v));
  return Float32Array.from(sum, (v) => v / samples);
}

/**
 * Per sample the margin z_y - max_{j != y} z_j of logits [B, classes]: negative once the sample
 * is misclassified (a tie, 0, is not counted as broken here; eval's scoring decides ties).
 */
export function margins(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): Float32Array {
  const out = new Float32Array(labels.length);
  for (let b = 0; b < labels.length; b++) {
    const y = labels[b];
    let other = -Infinity;
    for (let j = 0; j < classes; j++) if (j !== y && logits[b * classes + j] > other) other = logits[b * classes + j];
    out[b] = logits[b * classes + y] - other;
  }
  return out;
}

/** per sample 1 where the logits misclassify it (margin < 0), else 0 */
export function misclassified(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): Uint8Array {
  return Uint8Array.from(margins(logits, labels, classes), (m) => (m < 0 ? 1 : 0));
}

/** torch.sign: -1, 0 or 1 */
export function sign(v: number): number {
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/**
 * The L-inf eps-ball around `x` intersected with [0,1], where every attack keeps its images: per
 * pixel the float32 bounds clamp(x -+ eps, 0, 1) in torch's order, and the projection onto them.
 */
export class EpsBall {
  readonly lo: Float32Array;
  readonly hi: Float32Array;

  constructor(x: Float32Array, epsilon: number) {
    const eps = Math.fround(epsilon);
    this.lo = x.map((v) => clamp01(Math.fround(v - eps)));
    this.hi = x.map((v) => clamp01(Math.fround(v + eps)));
  }

  /** `v` moved into pixel `p`'s bounds */
  project(v: number, p: number): number {
    return Math.max(Math.min(v, this.hi[p]), this.lo[p]);
  }

  /** pixel `p`'s bound on side `s` (+1: x + eps, -1: x - eps, each clamped to [0,1]) */
  corner(p: number, s: number): number {
    return s > 0 ? this.hi[p] : this.lo[p];
  }
}
