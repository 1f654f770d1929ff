/**
 * Shared pieces of the attacks (torchattacks' spirit: one attack per file over this base).
 * Attacks work in [0,1] pixel space; the model normalises its input itself, so gradients
 * flow through the normalisation, and the model runs in eval mode (no dropout) with BPTT
 * through the surrogate over all T steps, loss = mean cross-entropy of the summed output.
 */
import { Tensor, backward } from '../tensor/tensor.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import type { SpikingModel } from '../snn/model.js';

export interface Batch {
  /** pixels in [0,1], [B, C, H, W] */
  x01: Float32Array;
  shape: readonly number[];
  labels: ArrayLike<number>;
}

export interface AttackContext {
  model: SpikingModel;
  timesteps: number;
}

export interface Attack {
  readonly name: string;
  /** adversarial images for the batch, same shape, in [0,1] */
  perturb(ctx: AttackContext, batch: Batch): Float32Array;
}

/** gradient of the mean cross-entropy w.r.t. the [0,1] input (parameters get no gradient) */
export function inputGradient(ctx: AttackContext, x01: Float32Array, batch: Batch): { grad: Float32Array; loss: number } {
  const saved = [...ctx.model.params.values()].map((p) => p.requiresGrad);
  for (const p of ctx.model.params.values()) p.requiresGrad = false;
  try {
    const x = new Tensor(x01, batch.shape, { requiresGrad: true });
    const { logits } = ctx.model.forward(x, { timesteps: ctx.timesteps });
    const loss = crossEntropy(logits, batch.labels);
    // nothing of the graph outlives this call but the input's gradient and the loss
    backward(loss, undefined, { releaseTape: true });
    return { grad: x.grad ?? new Float32Array(x01.length), loss: loss.item() };
  } finally {
    [...ctx.model.params.values()].forEach((p, i) => (p.requiresGrad = saved[i]));
  }
}

/** torch.sign: -1, 0 or 1 */
export function sign(v: number): number {
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

export function checkEpsilon(eps: number, what = 'epsilon'): void {
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new Error(`${what} must be a finite number >= 0, got ${eps}`);
}
