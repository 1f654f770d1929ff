/**
 * PGD as the seed's attack: optional uniform random start in [-eps, eps] (clipped to [0,1]),
 * then k steps of size a along the gradient sign, each followed by projection onto the
 * eps-ball around x intersected with [0,1].
 * Madry, Makelov, Schmidt, Tsipras, Vladu, "Towards Deep Learning Models Resistant to
 * Adversarial Attacks", ICLR 2018.
 */
import { type Attack, type AttackContext, type Batch, inputGradient, sign, clamp01 } from './base.js';
import { AttackOptionError, checkEpsilon, checkWhole } from './options.js';
import { defineAttack } from './spec.js';
import type { Rng } from '../snn/dropout.js';

export interface PgdOptions {
  epsilon: number;
  steps: number;
  stepSize: number;
  randomStart: boolean;
  rng?: Rng;
}

export class Pgd implements Attack {
  readonly name = 'pgd';

  constructor(readonly opts: PgdOptions) {
    checkEpsilon(opts.epsilon);
    checkEpsilon(opts.stepSize, 'PGD step size');
    checkWhole(opts.steps, 'PGD steps');
    if (opts.randomStart && !opts.rng) throw new AttackOptionError('PGD random start needs a random generator');
  }

  perturb(ctx: AttackContext, batch: Batch): Float32Array {
    const x = batch.x01;
    const n = x.length;
    const eps = Math.fround(this.opts.epsilon);
    const a = Math.fround(this.opts.stepSize);
    const hi = new Float32Array(n);
    const lo = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      hi[i] = clamp01(Math.fround(x[i] + eps));
      lo[i] = clamp01(Math.fround(x[i] - eps));
    }
    const adv = Float32Array.from(x);
    if (this.opts.randomStart) {
      const rng = this.opts.rng!;
      for (let i = 0; i < n; i++) adv[i] = clamp01(Math.fround(x[i] + Math.fround((2 * rng.uniform() - 1) * eps)));
    }
    for (let k = 0; k < this.opts.steps; k++) {
      const { grad } = inputGradient(ctx, adv, batch);
      for (let i = 0; i < n; i++) {
        const v = Math.fround(adv[i] + a * sign(grad[i]));
        adv[i] = Math.max(Math.min(v, hi[i]), lo[i]);
      }
    }
    return adv;
  }
}

export const pgd = defineAttack({
  name: 'pgd',
  description: 'projected gradient-sign ascent on the cross-entropy (the seed\'s PGD)',
  paper: 'Madry et al., Towards Deep Learning Models Resistant to Adversarial Attacks, ICLR 2018',
  needs: { gradients: true, minClasses: 2, stochasticOnly: false },
  defaults: { steps: 7, stepSize: 0.01, randomStart: true },
  create: (o, rng) => new Pgd({ epsilon: o.epsilon, steps: o.steps, stepSize: o.stepSize, randomStart: o.randomStart, rng }),
});
