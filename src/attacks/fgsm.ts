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
    return fgsmStep(batch.x01, grad, this.epsilon);
  }
}

/** one FGSM step from `base` along the sign of `grad`, clipped to [0,1] (also HIRE's crafted noise, src/train/hire-step.ts) */
export function fgsmStep(base: Float32Array, grad: Float32Array, epsilon: number): Float32Array {
  const eps = Math.fround(epsilon);
  const out = new Float32Array(base.length);
  // float32 arithmetic in torch's order: x + eps * sign(g), then clamp
  for (let i = 0; i < out.length; i++) out[i] = clamp01(Math.fround(base[i] + eps * sign(grad[i])));
  return out;
}

export const fgsm = defineAttack({
  name: 'fgsm',
  description: 'one gradient-sign step of size eps (the seed\'s FGSM)',
  paper: 'Goodfellow et al., Explaining and Harnessing Adversarial Examples, ICLR 2015',
  defaults: {},
  create: (o) => new Fgsm(o.epsilon),
});
