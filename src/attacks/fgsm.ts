/** FGSM (Goodfellow et al.): one step of size epsilon along the sign of the input gradient, clipped to [0,1]. */
import { type Attack, type AttackContext, type Batch, inputGradient, sign, clamp01, checkEpsilon } from './base.js';

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
