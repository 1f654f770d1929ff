/**
 * Square Attack, L-inf (Andriushchenko, Croce, Flammarion, Hein, "Square Attack: a query-efficient
 * black-box adversarial attack via random search", ECCV 2020): score-based, no gradients. Start
 * from vertical stripes of +-eps; then, per query, set a random s x s window of every channel to
 * x +- eps (one random sign per channel; signs that would change nothing are drawn again) and
 * keep the change if the margin z_y - max_{j != y} z_j fell. The window's share p of the image
 * follows the paper's schedule (0.8 halved at 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000
 * of 10,000 queries, rescaled to the budget). Every forward pass an image takes counts as a
 * query, the start included; on a stochastic model with EOT N (`ctx.eot`) each candidate is
 * scored on the mean logits of N draws, N queries. An image stops as soon as it is misclassified. Every candidate is
 * projected onto the eps-ball and [0,1].
 */
import { type Attack, type AttackContext, type Batch, expectedLogits, margins, EpsBall } from './base.js';
import { pixelsPerSample, subBatch, drawSeed, sampleRngs, allSamples } from './per-sample.js';
import { AttackOptionError, checkEpsilon, checkWhole, type OptionsOf } from './options.js';
import { defineAttack } from './spec.js';
import type { Rng } from '../snn/dropout.js';

const P_INIT = 0.8;
/** sign draws per candidate before a window that changes nothing is queried anyway */
const MAX_SIGN_DRAWS = 16;

/** `queries` counts every forward pass an image takes, the start included */
export type SquareOptions = OptionsOf<'queries'> & { rng: Rng };

/** the share of the image a window covers after `query` of `budget` queries */
export function squareShare(query: number, budget: number): number {
  const it = Math.floor((query / budget) * 10000);
  const bounds = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];
  let halvings = 0;
  while (halvings < bounds.length && it > bounds[halvings]) halvings++;
  return P_INIT / 2 ** halvings;
}

export class Square implements Attack {
  readonly name = 'square';

  constructor(readonly opts: SquareOptions) {
    checkEpsilon(opts.epsilon);
    checkWhole(opts.queries, 'Square queries');
  }

  perturb(ctx: AttackContext, batch: Batch): Float32Array {
    const [n, c, h, w] = batch.shape;
    if (batch.shape.length !== 4 || h < 1 || w < 1) throw new AttackOptionError(`Square needs images [B, C, H, W], got [${batch.shape.join(', ')}]`);
    const size = pixelsPerSample(batch);
    const classes = ctx.model.spec.labels;
    // each image draws from its own generator: its search does not depend on its batch-mates
    const rngs = sampleRngs(drawSeed(this.opts.rng), [], allSamples(batch.labels.length));
    const x = batch.x01;
    const ball = new EpsBall(x, this.opts.epsilon);
    const randomSign = (b: number) => (rngs[b].uniform() < 0.5 ? -1 : 1);

    // start: one sign per (sample, channel, column)
    const best = new Float32Array(x.length);
    for (let b = 0; b < n; b++) {
      for (let ch = 0; ch < c; ch++) {
        for (let col = 0; col < w; col++) {
          const s = randomSign(b);
          for (let row = 0; row < h; row++) {
            const p = ((b * c + ch) * h + row) * w + col;
            best[p] = ball.corner(p, s);
          }
        }
      }
    }
    // forward passes per scoring: the draws EOT averages on a stochastic model
    const draws = ctx.eot ?? 1;
    checkWhole(draws, 'EOT samples');
    if (draws > this.opts.queries) throw new AttackOptionError(`Square with EOT ${draws} needs at least ${draws} queries per image, got ${this.opts.queries}`);
    const bestMargin = margins(expectedLogits(ctx, best, batch.shape), batch.labels, classes);
    let active = allSamples(n).filter((b) => !(bestMargin[b] < 0));

    for (let used = draws; used + draws <= this.opts.queries && active.length > 0; used += draws) {
      const side = Math.min(Math.max(Math.round(Math.sqrt(squareShare(used, this.opts.queries) * h * w)), 1), h, w);
      // each candidate: its sample's best image with one window moved
      const sub = subBatch(batch, active, best);
      active.forEach((b, k) => {
        const top = Math.floor(rngs[b].uniform() * (h - side + 1));
        const left = Math.floor(rngs[b].uniform() * (w - side + 1));
        const candidate = sub.x01.subarray(k * size, (k + 1) * size);
        // signs that leave the window as it is would waste a query: draw again (AutoAttack does
        // the same); with eps > 0 each channel's two signs differ, so a few draws suffice
        for (let draw = 0; draw < MAX_SIGN_DRAWS; draw++) {
          let changed = false;
          for (let ch = 0; ch < c; ch++) {
            const s = randomSign(b);
            for (let row = top; row < top + side; row++) {
              for (let col = left; col < left + side; col++) {
                const q = (ch * h + row) * w + col;
                const v = ball.corner(b * size + q, s);
                if (v !== candidate[q]) changed = true;
                candidate[q] = v;
              }
            }
          }
          if (changed) break;
        }
      });
      const m = margins(expectedLogits(ctx, sub.x01, sub.shape), sub.labels, classes);
      active.forEach((b, k) => {
        if (!(m[k] < bestMargin[b])) return;
        bestMargin[b] = m[k];
        best.set(sub.x01.subarray(k * size, (k + 1) * size), b * size);
      });
      active = active.filter((b) => !(bestMargin[b] < 0));
    }
    return best;
  }
}

export const square = defineAttack({
  name: 'square',
  description: 'score-based random search over eps-squares on the margin loss (no gradients)',
  paper: 'Andriushchenko et al., Square Attack: a query-efficient black-box adversarial attack via random search, ECCV 2020',
  needs: { gradients: false },
  defaults: { queries: 5000 },
  create: (o, rng) => new Square({ epsilon: o.epsilon, queries: o.queries, rng }),
});
