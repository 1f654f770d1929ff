/** Adam (optionally AMSGrad) with L2 weight decay, as torch.optim.Adam. */
import { getBackend } from '../../kernels/index.js';
import type { Tensor } from '../tensor.js';
import { OptimizerBase, withDefaults } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
}

const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false };

export class Adam extends OptimizerBase {
  private readonly h: Readonly<typeof ADAM_DEFAULTS>;

  constructor(params: Map<string, Tensor>, opts: AdamOptions) {
    super(params, opts.lr);
    this.h = withDefaults(ADAM_DEFAULTS, opts);
  }

  step(): void {
    this.stepCount++;
    const backend = getBackend();
    const { amsgrad, ...rest } = this.h;
    const h = { lr: this.lr, ...rest, step: this.stepCount };
    for (const [name, p] of this.params) {
      const g = p.grad;
      if (!g) continue;
      const m = this.buffer(`${name}.exp_avg`, p.size);
      const v = this.buffer(`${name}.exp_avg_sq`, p.size);
      const vmax = amsgrad ? this.buffer(`${name}.max_exp_avg_sq`, p.size) : null;
      backend.adamStep(p.data, g, m, v, vmax, h);
    }
  }
}
