/** What every training step shares: the batch it gets, what it reports, the post-step clamps. */
import type { SpikingModel } from '../snn/model.js';
import type { Optimizer } from '../tensor/optim/optimizer.js';
import { Sgd } from '../tensor/optim/sgd.js';
import { Adam } from '../tensor/optim/adam.js';
import type { OptimizerName } from './config.js';

export interface StepResult {
  /** mean cross-entropy (HIRE: averaged over the periods) */
  loss: number;
  /** correctly classified images (HIRE: in the clean first period) */
  correct: number;
  count: number;
  /** spikes per spiking layer over the batch and all steps (absent for the ANN) */
  spikeCounts?: number[];
}

/** the seed's constraint after every update: leaks stay <= 1 */
export function clampLeaks(model: SpikingModel): void {
  for (const [k, p] of model.params) if (k.startsWith('leak.') && p.data[0] > 1) p.data[0] = 1;
}

export interface OptimizerOptions {
  name: OptimizerName;
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** SGD (momentum, L2 decay) or Adam (AMSGrad as in the seed's SNN training, L2 decay) over all parameters */
export function makeOptimizer(model: SpikingModel, o: OptimizerOptions): Optimizer {
  if (o.name === 'sgd') return new Sgd(model.params, { lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay });
  return new Adam(model.params, { lr: o.lr, weightDecay: o.weightDecay, amsgrad: true });
}
