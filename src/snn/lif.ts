/**
 * The leaky integrate-and-fire neuron of the seed, as one multi-step op: the whole
 * current [T*B, ...] (or [B, ...] reused at every step for direct input) goes through the
 * fused backend scan. One learnable leak and one learnable threshold per layer.
 */
import { getBackend, type LifGrads, type LifParams, type Surrogate } from '../kernels/index.js';
import { outputBuffer } from '../tensor/buffer.js';
import { noteNonzero } from '../tensor/nonzero.js';
import { Tensor, opResult, accumulateGrad, adoptGrad } from '../tensor/tensor.js';

/** the seed's (and the models' training) surrogate: ds/dz = 0.3 * max(0, 1 - |z|) */
export const TRAINING_SURROGATE: Readonly<Surrogate> = Object.freeze({ kind: 'pwl', gamma: 0.3, width: 1 });

export interface LifOptions {
  steps: number;
  /** the current is [B, ...] and the same at every step (first layer under direct input) */
  constantCurrent: boolean;
  /** the backward's ds/dz (default TRAINING_SURROGATE), e.g. another one to attack with */
  surrogate?: Surrogate;
  /**
   * membrane (after reset) to start from instead of rest, one value per neuron of a step; a
   * constant (no gradient flows into it), e.g. the state left by the previous HIRE period
   */
  initialMembrane?: Float32Array;
  /** also return the membrane after the last step */
  captureMembrane?: boolean;
}

export interface LifOutput {
  spikes: Tensor;
  spikeCount: number;
  finalMembrane?: Float32Array;
}

/**
 * Starting from U0 instead of rest is the same as adding leak * U0 to the first step's
 * current (V_1 = leak * U0 + I_1). As an op: the current gradient passes through unchanged
 * and the leak receives sum(dL/dI'_1 * U0), the term the scan (which starts from rest) omits.
 */
function addInitialMembrane(current: Tensor, leak: Tensor, u0: Float32Array, steps: number, constant: boolean): Tensor {
  const per = u0.length;
  const data = new Float32Array(per * steps);
  for (let t = 0; t < steps; t++) data.set(constant ? current.data : current.data.subarray(t * per, (t + 1) * per), t * per);
  const lambda = leak.item();
  for (let i = 0; i < per; i++) data[i] = Math.fround(data[i] + Math.fround(lambda * u0[i]));
  const shape = constant ? [current.shape[0] * steps, ...current.shape.slice(1)] : current.shape;
  return opResult(data, shape, [current, leak], (o) => {
    const g = o.grad!;
    if (current.requiresGrad) {
      const gc = new Float32Array(current.size);
      if (constant) for (let t = 0; t < steps; t++) for (let i = 0; i < per; i++) gc[i] += g[t * per + i];
      else gc.set(g);
      accumulateGrad(current, gc);
    }
    let gl = 0;
    for (let i = 0; i < per; i++) gl += g[i] * u0[i];
    accumulateGrad(leak, Float32Array.of(gl));
  });
}

/**
 * the membrane after the last step, replaying the scan's arithmetic (float64 state, the same
 * firing rule) from the current alone, so the fused pooled scan, which keeps no full-size
 * spikes, can give it too
 */
function finalMembrane(current: Float32Array, p: LifParams): Float32Array {
  const u = new Float64Array(p.size);
  const sign = p.threshold > 0 ? 1 : -1;
  for (let t = 0; t < p.steps; t++) {
    const off = p.constantCurrent ? 0 : t * p.size;
    for (let i = 0; i < p.size; i++) {
      const v = p.leak * u[i] + current[off + i];
      u[i] = (v - p.threshold) * sign > 0 ? v - p.threshold : v;
    }
  }
  return Float32Array.from(u);
}

export function lif(current: Tensor, leak: Tensor, threshold: Tensor, opts: LifOptions): LifOutput {
  if (opts.initialMembrane) return lif(startFromMembrane(current, leak, opts), leak, threshold, fromRest(opts));
  const { p, outShape } = scanParams(current, leak, threshold, opts);
  const backend = getBackend();
  const spikes = outputBuffer(p.size * p.steps);
  const spikeCount = backend.lifForward(current.data, p, spikes);
  noteNonzero(spikes, spikeCount);
  const out = opResult(spikes, outShape, [current, leak, threshold], (o) => {
    const gradCurrent = outputBuffer(current.size);
    const g = backend.lifBackward(current.data, o.grad!, p, gradCurrent);
    pushLifGrads(current, leak, threshold, gradCurrent, g);
  });
  return { spikes: out, spikeCount, ...(opts.captureMembrane ? { finalMembrane: finalMembrane(current.data, p) } : {}) };
}

/** can lifPooled take this current ([N, C, H, W] with even H and W of at most 64)? */
export function canPoolInScan(current: Tensor): boolean {
  const [, , h, w] = current.shape;
  return current.shape.length === 4 && h % 2 === 0 && w % 2 === 0 && w > 0 && w <= 64;
}

/**
 * lif followed by avgPool2d(2), fused: only the pooled spikes [T*B, C, H/2, W/2] are made
 * (same values and gradients as the two ops; see canPoolInScan for the shapes it takes).
 */
export function lifPooled(current: Tensor, leak: Tensor, threshold: Tensor, opts: LifOptions): { pooled: Tensor; spikeCount: number; finalMembrane?: Float32Array } {
  if (!canPoolInScan(current)) throw new Error(`lifPooled: cannot pool a current of shape [${current.shape.join(', ')}] in the scan`);
  if (opts.initialMembrane) return lifPooled(startFromMembrane(current, leak, opts), leak, threshold, fromRest(opts));
  const { p, outShape } = scanParams(current, leak, threshold, opts);
  const width = current.shape[3];
  const [n, c, h, w] = outShape;
  const backend = getBackend();
  const pooled = outputBuffer((p.size * p.steps) / 4);
  const counts = backend.lifForwardPooled(current.data, p, width, pooled);
  noteNonzero(pooled, counts.pooledNonzero);
  const out = opResult(pooled, [n, c, h / 2, w / 2], [current, leak, threshold], (o) => {
    const gradCurrent = outputBuffer(current.size);
    const g = backend.lifBackwardPooled(current.data, o.grad!, p, width, gradCurrent);
    pushLifGrads(current, leak, threshold, gradCurrent, g);
  });
  return { pooled: out, spikeCount: counts.spikes, ...(opts.captureMembrane ? { finalMembrane: finalMembrane(current.data, p) } : {}) };
}

/** the current with leak * U0 added to its first step (then the scan starts from rest) */
function startFromMembrane(current: Tensor, leak: Tensor, opts: LifOptions): Tensor {
  const u0 = opts.initialMembrane!;
  const per = opts.constantCurrent ? current.size : current.size / opts.steps;
  if (u0.length !== per) throw new Error(`lif: initial membrane has ${u0.length} values, a step has ${per}`);
  return addInitialMembrane(current, leak, u0, opts.steps, opts.constantCurrent);
}

/** from rest with leak*U0 inside the first current: a different current at every step */
function fromRest(opts: LifOptions): LifOptions {
  return { ...opts, constantCurrent: false, initialMembrane: undefined };
}

function scanParams(current: Tensor, leak: Tensor, threshold: Tensor, opts: LifOptions): { p: LifParams; outShape: number[] } {
  const batchShape = current.shape;
  const perStep = opts.constantCurrent ? current.size : current.size / opts.steps;
  if (!Number.isInteger(perStep)) throw new Error(`lif: current of ${current.size} values is not ${opts.steps} steps`);
  const outShape = opts.constantCurrent ? [batchShape[0] * opts.steps, ...batchShape.slice(1)] : [...batchShape];
  const p: LifParams = {
    steps: opts.steps,
    size: perStep,
    leak: leak.item(),
    threshold: threshold.item(),
    surrogate: opts.surrogate ?? TRAINING_SURROGATE,
    constantCurrent: opts.constantCurrent,
  };
  return { p, outShape };
}

function pushLifGrads(current: Tensor, leak: Tensor, threshold: Tensor, gradCurrent: Float32Array, g: LifGrads): void {
  noteNonzero(gradCurrent, g.gradCurrentNonzero);
  adoptGrad(current, gradCurrent);
  accumulateGrad(leak, Float32Array.of(g.gradLeak));
  accumulateGrad(threshold, Float32Array.of(g.gradThreshold));
}
