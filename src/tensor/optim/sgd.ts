/** SGD with momentum and weight decay, as torch.optim.SGD (dampening 0, optional Nesterov). */
import { getBackend } from '../../kernels/index.js';
import type { Tensor } from '../tensor.js';
import { OptimizerBase } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export class Sgd extends OptimizerBase {
  private readonly momentum: number;
  private readonly weightDecay: number;
  private readonly nesterov: boolean;

  constructor(params: Map<string, Tensor>, opts: SgdOptions) {
    super(params, opts.lr);
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
  }

  step(): void {
    this.stepCount++;
    const backend = getBackend();
    for (const [name, p] of this.params) {
      const g = p.grad;
      if (!g) continue;
      const firstStep = !this.buffers.has(`${name}.momentum`);
      const buf = this.momentum !== 0 ? this.buffer(`${name}.momentum`, p.size) : null;
      backend.sgdStep(p.data, g, buf, {
        lr: this.lr, momentum: this.momentum, weightDecay: this.weightDecay, nesterov: this.nesterov, firstStep,
      });
    }
  }
}
