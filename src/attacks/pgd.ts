/**
 * PGD as the seed's attack: optional uniform random start in [-eps, eps] (clipped to [0,1]),
 * then k steps of size a along the gradient sign, each followed by projection onto the
 * eps-ball around x intersected with [0,1]. With restarts > 1, each further run starts afresh on
 * the samples not broken yet; per sample the first image that breaks it is kept, else the one
 * with the highest cross-entropy (one more forward per run scores them).
 * Madry, Makelov, Schmidt, Tsipras, Vladu, "Towards Deep Learning Models Resistant to
 * Adversarial Attacks", ICLR 2018.
 */
import { type Attack, type AttackContext, type Batch, inputGradient, predict, misclassified, sign, clamp01, EpsBall } from './base.js';
import { BestAdversarials, subBatch } from './per-sample.js';
import { crossEntropyLoss } from './losses.js';
import { AttackOptionError, checkEpsilon, checkWhole, type OptionsOf } from './options.js';
import { defineAttack } from './spec.js';
import type { Rng } from '../snn/dropout.js';

/** `restarts` defaults to 1 (the seed's attack exactly); `rng` is needed for a random start */
export type PgdOptions = OptionsOf<'steps' | 'stepSize' | 'randomStart'> & { restarts?: number; rng?: Rng };

export class Pgd implements Attack {
  readonly name = 'pgd';

  constructor(readonly opts: PgdOptions) {
    checkEpsilon(opts.epsilon);
    checkEpsilon(opts.stepSize, 'PGD step size');
    checkWhole(opts.steps, 'PGD steps');
    checkWhole(opts.restarts ?? 1, 'PGD restarts');
    if (opts.randomStart && !opts.rng) throw new AttackOptionError('PGD random start needs a random generator');
  }

  perturb(ctx: AttackContext, batch: Batch): Float32Array {
    const restarts = this.opts.restarts ?? 1;
    if (restarts === 1) return this.run(ctx, batch);
    const best = new BestAdversarials(batch);
    for (let r = 0; r < restarts; r++) {
      const active = best.remaining();
      if (active.length === 0) break;
      const sub = subBatch(batch, active);
      const adv = this.run(ctx, sub);
      const logits = predict(ctx, adv, sub.shape);
      const broken = misclassified(logits, sub.labels, ctx.model.spec.labels);
      best.offerRows(active, adv, broken, crossEntropyLoss.evaluate(logits, sub.labels, ctx.model.spec.labels).values);
    }
    return best.images;
  }

  /** one run from a fresh start */
  private run(ctx: AttackContext, batch: Batch): Float32Array {
    const x = batch.x01;
    const n = x.length;
    const eps = Math.fround(this.opts.epsilon);
    const a = Math.fround(this.opts.stepSize);
    const ball = new EpsBall(x, eps);
    const adv = Float32Array.from(x);
    if (this.opts.randomStart) {
      const rng = this.opts.rng!;
      for (let i = 0; i < n; i++) adv[i] = clamp01(Math.fround(x[i] + Math.fround((2 * rng.uniform() - 1) * eps)));
    }
    for (let k = 0; k < this.opts.steps; k++) {
      const { grad } = inputGradient(ctx, adv, batch);
      for (let i = 0; i < n; i++) {
        adv[i] = ball.project(Math.fround(adv[i] + a * sign(grad[i])), i);
      }
    }
    return adv;
  }
}

export const pgd = defineAttack({
  name: 'pgd',
  description: 'projected gradient-sign ascent on the cross-entropy (the seed\'s PGD)',
  paper: 'Madry et al., Towards Deep Learning Models Resistant to Adversarial Attacks, ICLR 2018',
  defaults: { steps: 7, stepSize: 0.01, randomStart: true, restarts: 1 },
  create: (o, rng) => new Pgd({ epsilon: o.epsilon, steps: o.steps, stepSize: o.stepSize, randomStart: o.randomStart, restarts: o.restarts, rng }),
});
