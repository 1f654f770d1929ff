/**
 * One HIRE-SNN training step (Kundu, Pedram, Beerel, ICCV 2021), as reconstructed from the
 * paper's figure and text (see docs/training.md): the T steps are split into N periods of T/N
 * steps. Period 1 sees the clean image x_1 = x. Each period is its own forward over T/N steps
 * (neurons start from rest), its loss is the mean cross-entropy of its own summed output, and
 * its backward pass gives both the parameter gradients (the optimizer steps right after) and the
 * input gradient, from which the next period's input is crafted at no extra cost:
 *
 *     x_{n+1} = clip_[0,1](x_n + eps * sign(dL_n/dx_n))        (cumulative, the default)
 *     x_{n+1} = clip_[0,1](x   + eps * sign(dL_n/dx_n))        (from-clean)
 *
 * optionally projected to the L-inf ball of radius `project` around x. With `carryMembrane` a
 * period starts from the neuron state the previous one left instead of from rest. Dropout masks are the
 * same in every period of a step (each period gets a fresh generator with the same seed), so a
 * step holds its masks over all T steps, as traditional training does.
 */
import { Tensor, backward } from '../tensor/tensor.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import type { SpikingModel } from '../snn/model.js';
import type { Optimizer } from '../tensor/optim/optimizer.js';
import { Rng } from '../data/rng.js';
import type { NoiseMode } from './config.js';
import { clampLeaks, countCorrect, type StepBatch, type StepResult } from './step-common.js';

export interface HireStepOptions {
  timesteps: number;
  periods: number;
  /** L-inf step of the crafted noise in [0,1] pixel space */
  epsilon: number;
  noiseMode?: NoiseMode;
  /** radius of the L-inf ball around the clean image that crafted inputs are projected to */
  project?: number;
  /** seed of the dropout masks of this step */
  dropoutSeed: number;
  /**
   * start each period from the membrane the previous one left (a constant: the weights have
   * changed since, and no gradient flows back across periods) instead of from rest
   */
  carryMembrane?: boolean;
}

export interface HireStepResult extends StepResult {
  /** the input of every period (inputs[0] is the clean image) */
  inputs: Float32Array[];
  /** the mean cross-entropy of every period */
  periodLosses: number[];
}

const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);
const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** the next period's input from this period's input gradient */
export function craftNextInput(clean: Float32Array, current: Float32Array, grad: Float32Array, o: Pick<HireStepOptions, 'epsilon' | 'noiseMode' | 'project'>): Float32Array {
  const eps = Math.fround(o.epsilon);
  const base = (o.noiseMode ?? 'cumulative') === 'cumulative' ? current : clean;
  const out = new Float32Array(clean.length);
  for (let i = 0; i < out.length; i++) {
    // float32 arithmetic as torch's FGSM: x + eps * sign(g), then clamp
    let v = clamp(Math.fround(base[i] + eps * sign(grad[i])), 0, 1);
    if (o.project !== undefined) {
      const r = Math.fround(o.project);
      v = clamp(clamp(v, Math.fround(clean[i] - r), Math.fround(clean[i] + r)), 0, 1);
    }
    out[i] = v;
  }
  return out;
}

export function hireStep(model: SpikingModel, optimizer: Optimizer, batch: StepBatch, o: HireStepOptions): HireStepResult {
  if (!(Number.isInteger(o.periods) && o.periods >= 1 && o.timesteps % o.periods === 0)) {
    throw new Error(`HIRE: ${o.timesteps} time steps cannot be split into ${o.periods} equal periods`);
  }
  const steps = o.timesteps / o.periods;
  const clean = batch.x01;
  const inputs: Float32Array[] = [clean];
  const periodLosses: number[] = [];
  let correct = 0;
  let spikeCounts: number[] | undefined;
  let current = clean;
  let membrane: Map<number, Float32Array> | undefined;
  for (let n = 0; n < o.periods; n++) {
    const last = n === o.periods - 1;
    const x = new Tensor(current, batch.shape, { requiresGrad: !last });
    const out = model.forward(x, {
      timesteps: steps, train: true, rng: new Rng(o.dropoutSeed),
      ...(o.carryMembrane ? { initialMembrane: membrane, captureMembrane: !last } : {}),
    });
    membrane = out.finalMembrane;
    const loss = crossEntropy(out.logits, batch.labels);
    optimizer.zeroGrad();
    backward(loss, undefined, { releaseTape: true, keep: [out.logits] });
    optimizer.step();
    clampLeaks(model);
    periodLosses.push(loss.item());
    if (n === 0) correct = countCorrect(out.logits.data, batch.labels, model.spec.labels);
    spikeCounts = spikeCounts ? spikeCounts.map((s, i) => s + out.spikeCounts[i]) : [...out.spikeCounts];
    if (!last) {
      current = craftNextInput(clean, current, x.grad ?? new Float32Array(current.length), o);
      inputs.push(current);
    }
  }
  return {
    loss: periodLosses.reduce((a, b) => a + b, 0) / periodLosses.length,
    correct,
    count: batch.labels.length,
    spikeCounts,
    inputs,
    periodLosses,
  };
}
