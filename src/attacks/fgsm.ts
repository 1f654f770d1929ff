/**
 * FGSM, the fast gradient sign method: one step of size epsilon along the sign of the input
 * gradient, clipped to [0,1].
 * Goodfellow, Shlens, Szegedy, "Explaining and Harnessing Adversarial Examples", ICLR 2015.
 */
import { type Attack, type AttackContext, type Batch, inputGradient, sign, clamp01 } from './base.js';
import { checkEpsilon } from './options.js';
import { defineAttack } from './spec.js';

export class Fgsm implements Attack {
  readonly name = 'fgsm';

  constructor(readonly epsilon: number) {
    checkEpsilon(epsilon);
  }

  perturb(ctx: AttackContext, batch: Batch): Float32Array {
    const { grad } = inputGradient(ctx, batch.x01, batch);
    const eps = Math.fround(this.epsilon);
    const out = new Float32Array(batch.x01.length);
    // float32 arithmetic in torch's order: x + eps * sign(g), then clamp
    for (let i = 0; i < out.length; i++) out[i] = clamp01(Math.fround(batch.x01[i] + eps * sign(grad[i])));
    return out;
  }
}

export const fgsm = defineAttack({
  name: 'fgsm',
  description: 'one gradient-sign step of size eps (the seed\'s FGSM)',
  paper: 'Goodfellow et al., Explaining and Harnessing Adversarial Examples, ICLR 2015',
  needs: { gradients: true, minClasses: 2, stochasticOnly: false },
  defaults: {},
  create: (o) => new Fgsm(o.epsilon),
});
