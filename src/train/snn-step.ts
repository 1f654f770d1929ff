/**
 * One "traditional" SNN training step (DIET-SNN): the clean image for all T steps, BPTT through
 * the piecewise-linear surrogate, mean cross-entropy of the output summed over the steps, one
 * optimizer step on weights, thresholds and leaks, then leaks clamped to <= 1. Dropout masks are
 * drawn once from `rng` and held over the steps (the model does that).
 */
import { Tensor, backward } from '../tensor/tensor.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import type { SpikingModel } from '../snn/model.js';
import type { Rng } from '../snn/dropout.js';
import type { Optimizer } from '../tensor/optim/optimizer.js';
import type { Encoding } from '../snn/model.js';
import { countCorrect } from '../eval/accuracy.js';
import { clampLeaks, type StepResult } from './step-common.js';
import type { Batch } from '../data/batch.js';

export interface SnnStepOptions {
  timesteps: number;
  rng: Rng;
  encoding?: Encoding;
}

export function snnStep(model: SpikingModel, optimizer: Optimizer, batch: Batch, o: SnnStepOptions): StepResult {
  const x = new Tensor(batch.x01, batch.shape);
  const out = model.forward(x, { timesteps: o.timesteps, train: true, rng: o.rng, encoding: o.encoding ?? 'direct' });
  const loss = crossEntropy(out.logits, batch.labels);
  optimizer.zeroGrad();
  backward(loss, undefined, { releaseTape: true, keep: [out.logits] });
  optimizer.step();
  clampLeaks(model);
  return {
    loss: loss.item(),
    correct: countCorrect(out.logits.data, batch.labels, model.spec.labels),
    count: batch.labels.length,
    spikeCounts: out.spikeCounts,
  };
}
