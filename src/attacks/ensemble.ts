/**
 * The surrogate ensemble: APGD-CE through each attack-time surrogate in turn, each on the images
 * no earlier member broke; an image is broken if any member breaks it, and keeps the first image
 * that did (else the highest cross-entropy found by any member). Which surrogate an attack
 * differentiates through matters more for SNNs than the attack itself (Özdenizci & Legenstein,
 * "Adversarially robust spiking neural networks through conversion", TMLR 2024); the rate-based
 * member follows Bu et al., "Rate gradient approximation attack threats deep spiking neural
 * networks", CVPR 2023. The APGD runs: Croce & Hein, ICML 2020.
 */
import { type Attack, type AttackContext, type Batch } from './base.js';
import { Apgd } from './apgd.js';
import { BestAdversarials, drawSeed } from './per-sample.js';
import { crossEntropyLoss } from './losses.js';
import { AttackOptionError, checkWhole, type OptionsOf } from './options.js';
import { DEFAULT_ENSEMBLE, formatSurrogate } from './surrogates.js';
import { defineAttack } from './spec.js';
import { mixSeed } from '../data/rng.js';
import type { Rng } from '../snn/dropout.js';

/** `steps` and `restarts` are each member's APGD run's */
export type EnsembleOptions = OptionsOf<'steps' | 'restarts' | 'surrogates'> & { rng: Rng };

export class SurrogateEnsemble implements Attack {
  readonly name = 'ensemble';
  /** after perturb: per image, the member that broke it first (null: none did) */
  brokenBy: (string | null)[] = [];
  private readonly apgd: Apgd;

  constructor(readonly opts: EnsembleOptions) {
    if (opts.surrogates.length === 0) throw new AttackOptionError('the surrogate ensemble needs at least one member');
    checkWhole(opts.steps, 'ensemble steps');
    this.apgd = new Apgd(this.name, { epsilon: opts.epsilon, steps: opts.steps, restarts: opts.restarts, loss: crossEntropyLoss, rng: opts.rng });
  }

  perturb(ctx: AttackContext, batch: Batch): Float32Array {
    const seed = drawSeed(this.opts.rng);
    const best = new BestAdversarials(batch);
    this.brokenBy = Array(batch.labels.length).fill(null);
    for (const surrogate of this.opts.surrogates) {
      const name = formatSurrogate(surrogate);
      const before = best.remaining();
      if (before.length === 0) break;
      // a member's starts depend on its name, not its position: a smaller ensemble repeats its runs
      this.apgd.perturbInto({ ...ctx, surrogate }, batch, best, mixSeed(seed, ...Array.from(name, (c) => c.charCodeAt(0))));
      for (const i of before) if (best.broken[i]) this.brokenBy[i] = name;
    }
    return best.images;
  }
}

export const ensemble = defineAttack({
  name: 'ensemble',
  description: 'APGD-CE through each attack-time surrogate in turn; broken if any member breaks it',
  paper: 'Özdenizci & Legenstein, TMLR 2024 (surrogates); Bu et al., CVPR 2023 (rate gradient); Croce & Hein, ICML 2020 (APGD)',
  defaults: { steps: 50, restarts: 1, surrogates: DEFAULT_ENSEMBLE },
  create: (o, rng) => new SurrogateEnsemble({ epsilon: o.epsilon, steps: o.steps, restarts: o.restarts, surrogates: o.surrogates, rng }),
});
