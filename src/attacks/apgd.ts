/**
 * Auto-PGD, L-inf (Croce & Hein, "Reliable evaluation of adversarial robustness with an ensemble
 * of diverse parameter-free attacks", ICML 2020): gradient-sign steps with momentum 0.75 and a
 * per-sample step size that starts at 2 eps and is halved at checkpoints (after 22 % of the
 * steps, then ever shorter intervals down to 6 %) when the loss rose in at most 75 % of the
 * steps since the last checkpoint, or when it was not halved last time and the best loss has not
 * improved since; a halving restarts from the best point. The best point (highest loss) is
 * tracked per sample; a sample stops as soon as it is misclassified (unless `stopEarly` is off).
 * Restarts run afresh on the samples not broken yet. `apgd-ce` ascends the cross-entropy, `apgd-dlr` the DLR loss.
 */
import { type Attack, type AttackContext, type Batch, inputGradient, misclassified, sign, clamp01, EpsBall } from './base.js';
import { BestAdversarials, pixelsPerSample, subBatch, drawSeed, sampleRngs, allSamples } from './per-sample.js';
import { crossEntropyLoss, dlrLoss, type LogitLoss } from './losses.js';
import { AttackOptionError, checkEpsilon, checkWhole, type OptionsOf } from './options.js';
import { defineAttack } from './spec.js';
import type { Rng } from '../snn/dropout.js';

const MOMENTUM = 0.75;
/** halve when the loss rose in at most this share of the steps since the last checkpoint */
const RHO = 0.75;

export type ApgdOptions = OptionsOf<'steps' | 'restarts'> & {
  loss: LogitLoss;
  rng: Rng;
  /**
   * stop on a sample once it is misclassified and return that image (default); false: run every
   * step and return the highest-loss point (for crafting on a stand-in model, e.g. transfer)
   */
  stopEarly?: boolean;
};

/** one run on a batch: per sample its result, where it started, and the losses there */
export interface ApgdRun {
  /** the image that broke the sample, else its highest-loss point */
  adv: Float32Array;
  broken: Uint8Array;
  start: Float32Array;
  startLosses: Float64Array;
  /** the loss at `adv` for unbroken samples (at the breaking point for broken ones) */
  bestLosses: Float64Array;
}

export function checkClasses(loss: LogitLoss, classes: number, attack: string): void {
  if (classes < loss.minClasses) {
    throw new AttackOptionError(`attack '${attack}' (${loss.name} loss) needs at least ${loss.minClasses} classes, the model has ${classes}`);
  }
}

export class Apgd implements Attack {
  constructor(
    readonly name: string,
    readonly opts: ApgdOptions,
  ) {
    checkEpsilon(opts.epsilon);
    checkWhole(opts.steps, 'APGD steps');
    checkWhole(opts.restarts, 'APGD restarts');
  }

  perturb(ctx: AttackContext, batch: Batch): Float32Array {
    const best = new BestAdversarials(batch);
    this.perturbInto(ctx, batch, best, drawSeed(this.opts.rng));
    return best.images;
  }

  /**
   * The restarts on the samples of `best` not broken yet, offering their results to it; sample
   * i's starts come from (seed, restart, i) alone (an ensemble member shares the pool).
   */
  perturbInto(ctx: AttackContext, batch: Batch, best: BestAdversarials, seed: number): void {
    checkClasses(this.opts.loss, ctx.model.spec.labels, this.name);
    for (let r = 0; r < this.opts.restarts; r++) {
      const active = best.remaining();
      if (active.length === 0) break;
      const run = this.runOnce(ctx, subBatch(batch, active), sampleRngs(seed, [r], active));
      best.offerRows(active, run.adv, run.broken, run.bestLosses);
    }
  }

  /** one run from a random start per sample, drawn from `rngs` (exposed for the tests of its invariants) */
  runOnce(ctx: AttackContext, batch: Batch, rngs: Rng[] = sampleRngs(drawSeed(this.opts.rng), [], allSamples(batch.labels.length))): ApgdRun {
    const loss = this.opts.loss;
    const stopEarly = this.opts.stopEarly ?? true;
    const n = batch.labels.length;
    const size = pixelsPerSample(batch);
    const classes = ctx.model.spec.labels;
    const eps = Math.fround(this.opts.epsilon);
    const x = batch.x01;
    const ball = new EpsBall(x, eps);

    // start: a uniform direction scaled so its largest component is eps
    const xAdv = new Float32Array(x.length);
    const t = new Float32Array(size);
    for (let b = 0; b < n; b++) {
      let max = 0;
      for (let j = 0; j < size; j++) max = Math.max(max, Math.abs((t[j] = 2 * rngs[b].uniform() - 1)));
      for (let j = 0; j < size; j++) xAdv[b * size + j] = clamp01(Math.fround(x[b * size + j] + (eps * t[j]) / (max + 1e-12)));
    }
    const start = Float32Array.from(xAdv);
    const xOld = Float32Array.from(xAdv);
    const xBest = Float32Array.from(xAdv);
    const grad = new Float32Array(x.length);
    const gradBest = new Float32Array(x.length);
    const adv = Float32Array.from(xAdv);
    const broken = new Uint8Array(n);
    const startLosses = new Float64Array(n);
    const bestLosses = new Float64Array(n);
    const lastLosses = new Float64Array(n);
    const stepSize = new Float64Array(n).fill(2 * eps);
    const rises = new Int32Array(n);
    const reducedLast = new Uint8Array(n).fill(1);
    const bestAtLastCheck = new Float64Array(n);
    let active = allSamples(n);

    // the loss and gradient at xAdv for the active samples; misclassified ones stop here
    const evaluate = (first: boolean) => {
      const sub = subBatch(batch, active, xAdv);
      const g = inputGradient(ctx, sub.x01, sub, loss);
      const wrong = misclassified(g.logits, sub.labels, classes);
      active.forEach((b, k) => {
        const row = (a: Float32Array) => a.subarray(b * size, (b + 1) * size);
        row(grad).set(g.grad.subarray(k * size, (k + 1) * size));
        const l = g.losses[k];
        if (first) {
          startLosses[b] = bestLosses[b] = lastLosses[b] = bestAtLastCheck[b] = l;
          row(gradBest).set(row(grad));
        } else {
          if (l > lastLosses[b]) rises[b]++;
          lastLosses[b] = l;
          if (l > bestLosses[b]) {
            bestLosses[b] = l;
            row(xBest).set(row(xAdv));
            row(gradBest).set(row(grad));
          }
        }
        if (wrong[k] && stopEarly) {
          broken[b] = 1;
          bestLosses[b] = l;
          row(adv).set(row(xAdv));
        }
      });
      active = active.filter((b) => !broken[b]);
    };

    evaluate(true);
    const steps = this.opts.steps;
    let interval = Math.max(Math.floor(0.22 * steps), 1);
    const minInterval = Math.max(Math.floor(0.06 * steps), 1);
    const shrink = Math.max(Math.floor(0.03 * steps), 1);
    let sinceCheck = 0;
    for (let it = 0; it < steps && active.length > 0; it++) {
      const a = it === 0 ? 1 : MOMENTUM;
      for (const b of active) {
        for (let p = b * size; p < (b + 1) * size; p++) {
          const cur = xAdv[p];
          const z = ball.project(Math.fround(cur + stepSize[b] * sign(grad[p])), p);
          xAdv[p] = ball.project(Math.fround(cur + a * (z - cur) + (1 - a) * (cur - xOld[p])), p);
          xOld[p] = cur;
        }
      }
      evaluate(false);
      if (++sinceCheck < interval) continue;
      for (const b of active) {
        const reduce = rises[b] <= RHO * interval || (!reducedLast[b] && bestAtLastCheck[b] >= bestLosses[b]);
        reducedLast[b] = reduce ? 1 : 0;
        bestAtLastCheck[b] = bestLosses[b];
        rises[b] = 0;
        if (!reduce) continue;
        stepSize[b] /= 2;
        xAdv.set(xBest.subarray(b * size, (b + 1) * size), b * size);
        grad.set(gradBest.subarray(b * size, (b + 1) * size), b * size);
      }
      sinceCheck = 0;
      interval = Math.max(interval - shrink, minInterval);
    }
    for (const b of active) adv.set(xBest.subarray(b * size, (b + 1) * size), b * size);
    return { adv, broken, start, startLosses, bestLosses };
  }
}

const apgdDefaults = { steps: 100, restarts: 1 };

export const apgdCe = defineAttack({
  name: 'apgd-ce',
  description: 'Auto-PGD on the cross-entropy: momentum, step-size halving at checkpoints, best point kept',
  paper: 'Croce & Hein, Reliable evaluation of adversarial robustness with an ensemble of diverse parameter-free attacks, ICML 2020',
  defaults: apgdDefaults,
  create: (o, rng) => new Apgd('apgd-ce', { epsilon: o.epsilon, steps: o.steps, restarts: o.restarts, loss: crossEntropyLoss, rng }),
});

export const apgdDlr = defineAttack({
  name: 'apgd-dlr',
  description: 'Auto-PGD on the difference-of-logits-ratio loss (invariant to logit shift and scale)',
  paper: apgdCe.paper,
  needs: { minClasses: dlrLoss.minClasses },
  defaults: apgdDefaults,
  create: (o, rng) => new Apgd('apgd-dlr', { epsilon: o.epsilon, steps: o.steps, restarts: o.restarts, loss: dlrLoss, rng }),
});
