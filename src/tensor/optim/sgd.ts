/** SGD with momentum and weight decay, as torch.optim.SGD (dampening 0, optional Nesterov). */
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
    for (const [name, p] of this.params) {
      const g = p.grad;
      if (!g) continue;
      const first = !this.buffers.has(`${name}.momentum`);
      const buf = this.momentum !== 0 ? this.buffer(`${name}.momentum`, p.size) : null;
      for (let i = 0; i < p.size; i++) {
        let d = g[i] + this.weightDecay * p.data[i];
        if (buf) {
          buf[i] = first ? d : this.momentum * buf[i] + d;
          d = this.nesterov ? d + this.momentum * buf[i] : buf[i];
        }
        p.data[i] -= this.lr * d;
      }
    }
  }
}
