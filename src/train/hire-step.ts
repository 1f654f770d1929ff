/**
 * One HIRE-SNN training step (Kundu, Pedram, Beerel, ICCV 2021), as reconstructed from the
 * paper's figure and text (see docs/training.md): the T steps are split into N periods of T/N
 * steps. Period 1 sees the clean image x_1 = x. Each period is its own forward over T/N steps;
 * its backward pass gives both the parameter gradients and the input gradient, from which the
 * next period's input is crafted by one FGSM step (src/attacks/fgsm.ts) at no extra cost:
 *
 *     x_{n+1} = clip_[0,1](x_n + eps * sign(dL_n/dx_n))        (cumulative, the default)
 *     x_{n+1} = clip_[0,1](x   + eps * sign(dL_n/dx_n))        (from-clean)
 *
 * optionally projected to the L-inf ball of radius `project` around x. The variants:
 * - `carryMembrane`: a period starts from the neuron state the previous one left (a constant:
 *   no gradient crosses periods) instead of from rest, so the N periods are one T-step run;
 * - `loss`: 'period' = mean cross-entropy of the period's own summed output; 'cumulative' = of
 *   the output summed over the periods so far (earlier periods' outputs as constants), so the
 *   last period's loss is on the T-step output that evaluation classifies;
 * - `timing`: 'before-update' = the noise comes from the pass that computed the update;
 *   'after-update' = from one more forward/backward of the period on the updated weights
 *   (the weights the next period runs on; costs one extra period pass);
 * - `update`: 'per-period' = an optimizer step after every period (N steps per batch);
 *   'per-batch' = one step per batch on the mean of the periods' gradients (as many steps as
 *   traditional training).
 * Dropout masks are the same in every period of a step (each period gets a fresh generator
 * with the same seed), so a step holds its masks over all T steps, as traditional training does.
 */
import { Tensor, backward } from '../tensor/tensor.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import { add } from '../tensor/ops/add.js';
import type { SpikingModel } from '../snn/model.js';
import type { Optimizer } from '../tensor/optim/optimizer.js';
import { Rng } from '../data/rng.js';
import { fgsmStep } from '../attacks/fgsm.js';
import type { HireLoss, HireUpdate, NoiseMode, NoiseTiming } from './config.js';
import { countCorrect } from '../eval/accuracy.js';
import { clampLeaks, type StepResult } from './step-common.js';
import type { Batch } from '../data/batch.js';

/** the step's options; absent variants are the first reconstruction's (from rest, period loss, noise before the update, a step per period) */
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
  carryMembrane?: boolean;
  loss?: HireLoss;
  timing?: NoiseTiming;
  update?: HireUpdate;
}

export interface HireStepResult extends StepResult {
  /** the input of every period (inputs[0] is the clean image) */
  inputs: Float32Array[];
  /** the mean cross-entropy of every period (as trained: cumulative or of the period alone) */
  periodLosses: number[];
}

/** the next period's input from this period's input gradient */
export function craftNextInput(clean: Float32Array, current: Float32Array, grad: Float32Array, o: Pick<HireStepOptions, 'epsilon' | 'noiseMode' | 'project'>): Float32Array {
  const out = fgsmStep((o.noiseMode ?? 'cumulative') === 'cumulative' ? current : clean, grad, o.epsilon);
  if (o.project !== undefined) {
    const r = Math.fround(o.project);
    for (let i = 0; i < out.length; i++) {
      const v = Math.min(Math.max(out[i], Math.fround(clean[i] - r)), Math.fround(clean[i] + r));
      out[i] = Math.min(Math.max(v, 0), 1);
    }
  }
  return out;
}

interface PeriodPass {
  loss: number;
  /** this period's summed output [B, labels] */
  logits: Float32Array;
  inputGrad?: Float32Array;
  finalMembrane?: Map<number, Float32Array>;
  spikeCounts: number[];
}

interface PeriodArgs {
  x: Float32Array;
  steps: number;
  dropoutSeed: number;
  membrane?: Map<number, Float32Array>;
  /** the earlier periods' summed output (cumulative loss) */
  previous?: Float32Array;
  inputGrad: boolean;
  captureMembrane: boolean;
  /** the loss gradient's scale (1/N when the periods' gradients are averaged into one update) */
  scale: number;
}

/** forward of one period, its loss, and the backward into the parameters' (and the input's) gradients */
function periodPass(model: SpikingModel, batch: Batch, a: PeriodArgs): PeriodPass {
  const x = new Tensor(a.x, batch.shape, { requiresGrad: a.inputGrad });
  const out = model.forward(x, {
    timesteps: a.steps, train: true, rng: new Rng(a.dropoutSeed),
    ...(a.membrane ? { initialMembrane: a.membrane } : {}), ...(a.captureMembrane ? { captureMembrane: true } : {}),
  });
  const scored = a.previous ? add(out.logits, new Tensor(a.previous, out.logits.shape)) : out.logits;
  const loss = crossEntropy(scored, batch.labels);
  backward(loss, a.scale === 1 ? undefined : Float32Array.of(a.scale), { releaseTape: true, keep: [out.logits] });
  if (a.inputGrad && !x.grad) throw new Error('HIRE: the input received no gradient, so no noise can be crafted (does the model pass gradients to its input?)');
  return { loss: loss.item(), logits: out.logits.data, inputGrad: x.grad ?? undefined, finalMembrane: out.finalMembrane, spikeCounts: out.spikeCounts };
}

/** periodPass for the input gradient only: the parameters get none */
function inputOnlyPass(model: SpikingModel, batch: Batch, a: PeriodArgs): PeriodPass {
  const params = [...model.params.values()];
  const saved = params.map((p) => p.requiresGrad);
  for (const p of params) p.requiresGrad = false;
  try {
    return periodPass(model, batch, a);
  } finally {
    params.forEach((p, i) => (p.requiresGrad = saved[i]));
  }
}

export function hireStep(model: SpikingModel, optimizer: Optimizer, batch: Batch, o: HireStepOptions): HireStepResult {
  if (!(Number.isInteger(o.periods) && o.periods >= 1 && o.timesteps % o.periods === 0)) {
    throw new Error(`HIRE: ${o.timesteps} time steps cannot be split into ${o.periods} equal periods`);
  }
  const perBatch = o.update === 'per-batch';
  const afterUpdate = o.timing === 'after-update';
  if (perBatch && afterUpdate) throw new Error('HIRE: noise after the update needs an update per period');
  const steps = o.timesteps / o.periods;
  const clean = batch.x01;
  const inputs: Float32Array[] = [clean];
  const periodLosses: number[] = [];
  let correct = 0;
  let spikeCounts: number[] | undefined;
  let current = clean;
  let membrane: Map<number, Float32Array> | undefined;
  let previous: Float32Array | undefined;
  const update = () => {
    optimizer.step();
    clampLeaks(model);
  };
  if (perBatch) optimizer.zeroGrad();
  for (let n = 0; n < o.periods; n++) {
    const last = n === o.periods - 1;
    const args: PeriodArgs = {
      x: current, steps, dropoutSeed: o.dropoutSeed, membrane, previous, scale: perBatch ? 1 / o.periods : 1,
      inputGrad: !last && !afterUpdate, captureMembrane: !last && o.carryMembrane === true && !afterUpdate,
    };
    if (!perBatch) optimizer.zeroGrad();
    const pass = periodPass(model, batch, args);
    if (!perBatch) update();
    periodLosses.push(pass.loss);
    if (n === 0) correct = countCorrect(pass.logits, batch.labels, model.spec.labels);
    spikeCounts = spikeCounts ? spikeCounts.map((s, i) => s + pass.spikeCounts[i]) : [...pass.spikeCounts];
    if (o.loss === 'cumulative') previous = previous ? Float32Array.from(previous, (v, i) => v + pass.logits[i]) : Float32Array.from(pass.logits);
    if (last) break;
    // the next period's noise and starting state: from this pass, or from a pass on the updated weights
    const source = afterUpdate ? inputOnlyPass(model, batch, { ...args, inputGrad: true, captureMembrane: o.carryMembrane === true }) : pass;
    membrane = o.carryMembrane ? source.finalMembrane : undefined;
    current = craftNextInput(clean, current, source.inputGrad!, o);
    inputs.push(current);
  }
  if (perBatch) update();
  return {
    loss: periodLosses.reduce((a, b) => a + b, 0) / periodLosses.length,
    correct,
    count: batch.labels.length,
    spikeCounts: spikeCounts!,
    inputs,
    periodLosses,
  };
}

/** the crafted noise's step at batch k of epoch e (0-based): a linear warm-up over `warmupEpochs`, then `epsilon` */
export function noiseEpsilonAt(epsilon: number, warmupEpochs: number, epoch: number, k: number, batchesPerEpoch: number): number {
  if (!(warmupEpochs > 0)) return epsilon;
  const progress = (epoch + k / batchesPerEpoch) / warmupEpochs;
  return progress >= 1 ? epsilon : epsilon * progress;
}
