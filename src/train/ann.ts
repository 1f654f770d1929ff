/**
 * One ANN training step: the ReLU network on the model's weights (no bias, no BN, avg-pool,
 * dropout), mean cross-entropy, backward, optimizer step. Thresholds and leaks get no gradient
 * and are left as they are.
 */
import { Tensor, backward } from '../tensor/tensor.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import type { SpikingModel } from '../snn/model.js';
import type { Rng } from '../snn/dropout.js';
import type { Optimizer } from '../tensor/optim/optimizer.js';
import { countCorrect } from '../eval/accuracy.js';
import type { StepResult } from './step-common.js';
import type { Batch } from '../data/batch.js';

export function annStep(model: SpikingModel, optimizer: Optimizer, batch: Batch, rng: Rng): StepResult {
  const x = new Tensor(batch.x01, batch.shape);
  const logits = model.forwardAnn(x, { train: true, rng });
  const loss = crossEntropy(logits, batch.labels);
  optimizer.zeroGrad();
  backward(loss, undefined, { releaseTape: true, keep: [logits] });
  optimizer.step();
  return { loss: loss.item(), correct: countCorrect(logits.data, batch.labels, model.spec.labels), count: batch.labels.length };
}
