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

const SGD_DEFAULTS = { momentum: 0, weightDecay: 0, nesterov: false };

export class Sgd extends OptimizerBase<typeof SGD_DEFAULTS> {
  constructor(params: Map<string, Tensor>, opts: SgdOptions) {
    super(params, opts, SGD_DEFAULTS);
  }

  protected update(name: string, p: Tensor, grad: Float32Array): void {
    const firstStep = !this.buffers.has(`${name}.momentum`);
    const buf = this.h.momentum !== 0 ? this.buffer(`${name}.momentum`, p.size) : null;
    getBackend().sgdStep(p.data, grad, buf, { lr: this.lr, ...this.h, firstStep });
  }
}
