/**
 * Shared pieces of the attacks (torchattacks' spirit: one attack per file over this base).
 * Attacks work in [0,1] pixel space; the model normalises its input itself, so gradients
 * flow through the normalisation, and the model runs in eval mode (no dropout) with BPTT
 * through the surrogate over all T steps, loss = mean cross-entropy of the summed output.
 */
import { Tensor, backward, noGrad } from '../tensor/tensor.js';
import { releasingBuffers } from '../tensor/buffer.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import type { SpikingModel } from '../snn/model.js';
import type { Rng } from '../snn/dropout.js';
import { AttackOptionError, checkWhole } from './options.js';

export interface Batch {
  /** pixels in [0,1], [B, C, H, W] */
  x01: Float32Array;
  shape: readonly number[];
  labels: ArrayLike<number>;
}

/** what an attack runs against: the model and how its forward passes are taken */
export interface AttackContext {
  model: SpikingModel;
  timesteps: number;
  /** input encoding of every forward (default direct); poisson needs `rng` */
  encoding?: 'direct' | 'poisson';
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
  return { timesteps: ctx.timesteps, encoding: ctx.encoding, rng: ctx.rng };
}

function oneGradient(ctx: AttackContext, x01: Float32Array, batch: Batch): { grad: Float32Array; loss: number } {
  const x = new Tensor(x01, batch.shape, { requiresGrad: true });
  const { logits } = ctx.model.forward(x, forwardOptions(ctx));
  const loss = crossEntropy(logits, batch.labels);
  // nothing of the graph outlives this call but the input's gradient and the loss
  backward(loss, undefined, { releaseTape: true });
  return { grad: x.grad ?? new Float32Array(x01.length), loss: loss.item() };
}

/**
 * Gradient of the mean cross-entropy w.r.t. the [0,1] input (parameters get no gradient).
 * With ctx.eot = N > 1, the mean of N gradient samples and of their losses (N = 1 is exactly the
 * plain gradient).
 */
export function inputGradient(ctx: AttackContext, x01: Float32Array, batch: Batch): { grad: Float32Array; loss: number } {
  const samples = ctx.eot ?? 1;
  checkWhole(samples, 'EOT samples');
  const saved = [...ctx.model.params.values()].map((p) => p.requiresGrad);
  for (const p of ctx.model.params.values()) p.requiresGrad = false;
  try {
    const first = oneGradient(ctx, x01, batch);
    if (samples === 1) return first;
    const sum = Float64Array.from(first.grad);
    let loss = first.loss;
    for (let s = 1; s < samples; s++) {
      const g = oneGradient(ctx, x01, batch);
      for (let i = 0; i < sum.length; i++) sum[i] += g.grad[i];
      loss += g.loss;
    }
    const grad = new Float32Array(sum.length);
    for (let i = 0; i < sum.length; i++) grad[i] = sum[i] / samples;
    return { grad, loss: loss / samples };
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

/** torch.sign: -1, 0 or 1 */
export function sign(v: number): number {
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
