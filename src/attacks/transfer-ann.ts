/**
 * Transfer from the ANN counterpart: APGD-CE crafted on the network with the SNN's weights and,
 * where its spiking neurons are, ReLU (the ANN it was converted from, before HIRE fine-tuning;
 * the default) or clamp(I/θ, 0, 1) with θ each layer's threshold (`annActivation:
 * 'threshold-scaled'`: the rate an integrate-and-fire neuron fires at under a constant current,
 * so a closer copy of what the fine-tuned SNN computes), run for every step to the highest ANN loss (no early stop: an image that only just fools the
 * ANN rarely transfers), and scored on the SNN by the caller. Transfer attacks need no gradient
 * of the SNN, so they are blind to gradient masking by surrogates (Athalye, Carlini & Wagner,
 * "Obfuscated gradients give a false sense of security", ICML 2018); crafting on the source ANN
 * is the standard black-box test of converted SNNs (Sharmin et al., "Inherent adversarial
 * robustness of deep spiking neural networks", ECCV 2020). APGD: Croce & Hein, ICML 2020.
 */
import type { Attack, AttackContext, Batch } from './base.js';
import { Apgd } from './apgd.js';
import { crossEntropyLoss } from './losses.js';
import type { AttackOptions, OptionsOf } from './options.js';
import { defineAttack } from './spec.js';
import type { AnnActivation, SpikingModel } from '../snn/model.js';
import type { Rng } from '../snn/dropout.js';

/** the ANN counterpart as a (deterministic, spike-free) model an attack can run on */
export function annCounterpart(model: SpikingModel, activation: AnnActivation = 'relu'): SpikingModel {
  return {
    spec: model.spec,
    normalization: model.normalization,
    params: model.params,
    forward: (x01) => ({ logits: model.forwardAnn(x01, { train: false, activation }), spikeCounts: [] }),
    forwardAnn: (x01, opts) => model.forwardAnn(x01, opts),
    spikingLayers: () => [],
    weightedOps: () => model.weightedOps(),
  };
}

/** `annActivation` defaults to relu */
export type TransferAnnOptions = OptionsOf<'steps' | 'restarts'> & Pick<AttackOptions, 'annActivation'> & { rng: Rng };

export class TransferAnn implements Attack {
  readonly name = 'transfer-ann';
  private readonly apgd: Apgd;

  constructor(readonly opts: TransferAnnOptions) {
    this.apgd = new Apgd(this.name, { ...opts, loss: crossEntropyLoss, stopEarly: false });
  }

  perturb(ctx: AttackContext, batch: Batch): Float32Array {
    // the ANN sees the analog image: no encoding draws, no EOT, no spiking surrogate
    return this.apgd.perturb({ model: annCounterpart(ctx.model, this.opts.annActivation), timesteps: ctx.timesteps }, batch);
  }
}

export const transferAnn = defineAttack({
  name: 'transfer-ann',
  description: 'APGD-CE crafted on the ANN counterpart (same weights; ReLU or clamp(I/θ, 0, 1)), scored on the SNN',
  paper: 'Athalye et al., ICML 2018 (transfer past masked gradients); Sharmin et al., ECCV 2020 (ANN-to-SNN transfer); Croce & Hein, ICML 2020 (APGD)',
  defaults: { steps: 100, restarts: 1, annActivation: 'relu' as AnnActivation },
  create: (o, rng) => new TransferAnn({ epsilon: o.epsilon, steps: o.steps, restarts: o.restarts, annActivation: o.annActivation, rng }),
});
