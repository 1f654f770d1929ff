/**
 * Targeted Auto-PGD (APGD-T), L-inf: Auto-PGD on the targeted DLR loss, run once toward each of
 * the `targets` classes the clean image scores highest after its label, each time only on the
 * samples not broken yet (AutoAttack's standard version tries 9 targets).
 * Croce & Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
 * parameter-free attacks", ICML 2020.
 */
import { type Attack, type AttackContext, type Batch, predict } from './base.js';
import { Apgd, checkClasses } from './apgd.js';
import { BestAdversarials, subBatch, drawSeed, sampleRngs } from './per-sample.js';
import { targetedDlrLoss } from './losses.js';
import { checkWhole, type OptionsOf } from './options.js';
import { defineAttack } from './spec.js';
import type { Rng } from '../snn/dropout.js';

export type ApgdTargetedOptions = OptionsOf<'steps' | 'targets'> & { rng: Rng };

/** per sample the class with the k-th highest clean logit among those that are not its label (k from 1) */
function kthOther(logits: Float32Array, labels: ArrayLike<number>, classes: number, k: number): number[] {
  return Array.from(labels, (y, b) => {
    const others = Array.from({ length: classes }, (_, j) => j).filter((j) => j !== y);
    others.sort((i, j) => logits[b * classes + j] - logits[b * classes + i] || i - j);
    return others[k - 1];
  });
}

export class ApgdTargeted implements Attack {
  readonly name = 'apgd-t';
  private readonly inner: Apgd;

  constructor(readonly opts: ApgdTargetedOptions) {
    checkWhole(opts.targets, 'APGD-T targets');
    this.inner = new Apgd(this.name, { epsilon: opts.epsilon, steps: opts.steps, restarts: 1, loss: targetedDlrLoss, rng: opts.rng });
  }

  perturb(ctx: AttackContext, batch: Batch): Float32Array {
    const classes = ctx.model.spec.labels;
    checkClasses(targetedDlrLoss, classes, this.name);
    const clean = predict(ctx, batch.x01, batch.shape);
    const best = new BestAdversarials(batch);
    const seed = drawSeed(this.opts.rng);
    for (let k = 1; k <= Math.min(this.opts.targets, classes - 1); k++) {
      const active = best.remaining();
      if (active.length === 0) break;
      const targets = kthOther(clean, batch.labels, classes, k);
      const run = this.inner.runOnce(ctx, { ...subBatch(batch, active), targets: active.map((b) => targets[b]) }, sampleRngs(seed, [k], active));
      best.offerRows(active, run.adv, run.broken, run.bestLosses);
    }
    return best.images;
  }
}

export const apgdT = defineAttack({
  name: 'apgd-t',
  description: 'targeted Auto-PGD on the targeted DLR loss, toward the most likely other classes in turn',
  paper: 'Croce & Hein, Reliable evaluation of adversarial robustness with an ensemble of diverse parameter-free attacks, ICML 2020',
  needs: { minClasses: targetedDlrLoss.minClasses },
  defaults: { steps: 100, targets: 9 },
  create: (o, rng) => new ApgdTargeted({ epsilon: o.epsilon, steps: o.steps, targets: o.targets, rng }),
});
