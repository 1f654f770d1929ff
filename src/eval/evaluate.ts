/**
 * An evaluation as one library call: for every T of the plan the clean pass (once), then for
 * every ε the attack suite on it (src/eval/suite.ts), the masking diagnostics when asked, spikes
 * per setting and energy — one sweep entry per (T, ε), in that order.
 */
import type { SpikingModel } from '../snn/model.js';
import { type EvalSet, gather, chunks, allIndices } from './eval-set.js';
import { scoreBatch } from './scoring.js';
import { runSuite, emptyScores, placeScores, type SampleScores, type SettingOutcome } from './suite.js';
import type { StartProgress } from '../progress.js';
import { SpikeCounter, type LayerSpikeStats } from './spikes.js';
import { estimateEnergy, DEFAULT_ENERGY, type EnergyConstants } from './energy.js';
import { OWN_SURROGATE, type EvalPlan } from './protocol.js';
import { runDiagnostics } from './diagnostics.js';
import { surrogateFromSpec } from './options.js';
import type { Diagnostic } from './result-schema.js';
import type { Results, SweepEntry } from './result-schema.js';

export interface EvaluateOptions {
  model: SpikingModel;
  /** black-box source: gradient attacks are also crafted on it and scored on `model` */
  bbModel?: SpikingModel;
  set: EvalSet;
  plan: EvalPlan;
  energy?: EnergyConstants;
  /** keep per-sample logits of every setting (for --save-outputs) */
  keepLogits?: boolean;
  progress?: StartProgress;
}

export interface EntryOutcome extends SweepEntry {
  /** every setting with its per-sample logits when kept */
  settings: SettingOutcome[];
}

export interface EvalOutcome {
  n: number;
  sweep: EntryOutcome[];
  labels: Int32Array;
}

export function evaluate(o: EvaluateOptions): EvalOutcome {
  const { model, set, plan } = o;
  const sweep: EntryOutcome[] = [];
  const probes = new Map<string, Diagnostic>();
  // the model's own surrogate is its default: pass one only when another was asked for
  const context = { eot: plan.eot, ...(plan.surrogate !== OWN_SURROGATE ? { surrogate: surrogateFromSpec(plan.surrogate) } : {}) };
  for (const timesteps of plan.timesteps) {
    const clean = cleanPass(o, timesteps);
    for (const epsilon of plan.epsilons) {
      const run = {
        set, model, bbModel: o.bbModel, timesteps, epsilon,
        options: (attack: string) => plan.options(attack, epsilon),
        scoring: { encoding: plan.encoding, draws: plan.draws, seed: plan.seed },
        context, batch: plan.batch, progress: o.progress,
      };
      const suite = runSuite({ ...run, attacks: plan.attacks, chain: plan.chain, clean, keepLogits: o.keepLogits ?? false });
      const results = {} as Results;
      const spikes: Record<string, LayerSpikeStats[]> = {};
      for (const s of suite.settings) {
        if (s.spikes) spikes[s.setting] = s.spikes;
        if (s.attack === 'clean') results.clean = s.score;
        else results[s.attack] = { ...results[s.attack], [s.box!]: s.score };
      }
      results.worstCase = suite.worstCase;
      const diagnostics = plan.diagnostics ? runDiagnostics({ run, plan, clean, results, cache: probes }) : [];
      sweep.push({
        epsilon, timesteps, results, spikes,
        energy: estimateEnergy(model, clean.spikes.perNeuron(), o.energy ?? DEFAULT_ENERGY),
        diagnostics, settings: suite.settings,
      });
    }
  }
  return { n: set.count, sweep, labels: set.labels };
}

/** every sample scored clean at T, once for all ε */
function cleanPass(o: EvaluateOptions, timesteps: number): SampleScores {
  const { model, set, plan } = o;
  const classes = model.spec.labels;
  const scores = emptyScores(set.count, classes);
  const spikes = new SpikeCounter(model, timesteps);
  const progress = o.progress?.(`clean T=${timesteps}`, set.count);
  let done = 0;
  let chunk = 0;
  for (const part of chunks(allIndices(set.count), plan.batch)) {
    const s = scoreBatch({ model, timesteps, encoding: plan.encoding, draws: plan.draws, seed: plan.seed }, gather(set, part), [chunk++, 0, 0]);
    placeScores(scores, s, done, classes);
    spikes.add(s.spikeCounts, part.length * plan.draws);
    done += part.length;
    progress?.update(done);
  }
  progress?.stop();
  return { ...scores, spikes };
}
