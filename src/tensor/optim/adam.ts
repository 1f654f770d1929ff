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

const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false };

export class Adam extends OptimizerBase<typeof ADAM_DEFAULTS> {
  constructor(params: Map<string, Tensor>, opts: AdamOptions) {
    super(params, opts, ADAM_DEFAULTS);
  }

  protected update(name: string, p: Tensor, grad: Float32Array): void {
    const { amsgrad, ...rest } = this.h;
    const m = this.buffer(`${name}.exp_avg`, p.size);
    const v = this.buffer(`${name}.exp_avg_sq`, p.size);
    const vmax = amsgrad ? this.buffer(`${name}.max_exp_avg_sq`, p.size) : null;
    getBackend().adamStep(p.data, grad, m, v, vmax, { lr: this.lr, ...rest, step: this.stepCount });
  }
}
