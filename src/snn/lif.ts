/**
 * The leaky integrate-and-fire neuron of the seed, as one multi-step op: the whole
 * current [T*B, ...] (or [B, ...] reused at every step for direct input) goes through the
 * fused backend scan. One learnable leak and one learnable threshold per layer.
 */
import { getBackend, type LifParams } from '../kernels/index.js';
import { Tensor, opResult, accumulateGrad, adoptGrad } from '../tensor/tensor.js';

/** the seed's piecewise-linear surrogate slope: ds/dz = 0.3 * max(0, 1 - |z|) */
export const SURROGATE_GAMMA = 0.3;

export interface LifOptions {
  steps: number;
  /** the current is [B, ...] and the same at every step (first layer under direct input) */
  constantCurrent: boolean;
  gamma?: number;
}

export interface LifOutput {
  spikes: Tensor;
  spikeCount: number;
}

export function lif(current: Tensor, leak: Tensor, threshold: Tensor, opts: LifOptions): LifOutput {
  const batchShape = current.shape;
  const perStep = opts.constantCurrent ? current.size : current.size / opts.steps;
  if (!Number.isInteger(perStep)) throw new Error(`lif: current of ${current.size} values is not ${opts.steps} steps`);
  const outShape = opts.constantCurrent ? [batchShape[0] * opts.steps, ...batchShape.slice(1)] : batchShape;
  const p: LifParams = {
    steps: opts.steps,
    size: perStep,
    leak: leak.item(),
    threshold: threshold.item(),
    gamma: opts.gamma ?? SURROGATE_GAMMA,
    constantCurrent: opts.constantCurrent,
  };
  const backend = getBackend();
  const spikes = new Float32Array(perStep * opts.steps);
  const spikeCount = backend.lifForward(current.data, p, spikes);
  const out = opResult(spikes, outShape, [current, leak, threshold], (o) => {
    const gradCurrent = new Float32Array(current.size);
    const g = backend.lifBackward(current.data, o.grad!, p, gradCurrent);
    adoptGrad(current, gradCurrent);
    accumulateGrad(leak, Float32Array.of(g.gradLeak));
    accumulateGrad(threshold, Float32Array.of(g.gradThreshold));
  });
  return { spikes: out, spikeCount };
}
