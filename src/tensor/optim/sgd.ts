/** SGD with momentum and weight decay, as torch.optim.SGD (dampening 0, optional Nesterov). */
import { getBackend } from '../../kernels/index.js';
import type { Tensor } from '../tensor.js';
import { OptimizerBase, withDefaults } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

const SGD_DEFAULTS = { momentum: 0, weightDecay: 0, nesterov: false };

export class Sgd extends OptimizerBase {
  private readonly h: Readonly<typeof SGD_DEFAULTS>;

  constructor(params: Map<string, Tensor>, opts: SgdOptions) {
    super(params, opts.lr);
    this.h = withDefaults(SGD_DEFAULTS, opts);
  }

  step(): void {
    this.stepCount++;
    const backend = getBackend();
    for (const [name, p] of this.params) {
      const g = p.grad;
      if (!g) continue;
      const firstStep = !this.buffers.has(`${name}.momentum`);
      const buf = this.h.momentum !== 0 ? this.buffer(`${name}.momentum`, p.size) : null;
      backend.sgdStep(p.data, g, buf, { lr: this.lr, ...this.h, firstStep });
    }
  }
}
