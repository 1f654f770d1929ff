/** Adam (optionally AMSGrad) with L2 weight decay, as torch.optim.Adam. */
import { getBackend } from '../../kernels/index.js';
import type { Tensor } from '../tensor.js';
import { OptimizerBase } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
}

export class Adam extends OptimizerBase {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly amsgrad: boolean;

  constructor(params: Map<string, Tensor>, opts: AdamOptions) {
    super(params, opts.lr);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.amsgrad = opts.amsgrad ?? false;
  }

  step(): void {
    this.stepCount++;
    const backend = getBackend();
    const h = {
      lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay, step: this.stepCount,
    };
    for (const [name, p] of this.params) {
      const g = p.grad;
      if (!g) continue;
      const m = this.buffer(`${name}.exp_avg`, p.size);
      const v = this.buffer(`${name}.exp_avg_sq`, p.size);
      const vmax = this.amsgrad ? this.buffer(`${name}.max_exp_avg_sq`, p.size) : null;
      backend.adamStep(p.data, g, m, v, vmax, h);
    }
  }
}
