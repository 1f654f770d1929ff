/**
 * One (ε, T) of an evaluation: every attack setting on the evaluated model, with per-sample
 * bookkeeping. Two ways to run the attacks:
 *  - a list (default for `--attacks LIST`): each setting attacks every sample, so its accuracy
 *    stands on its own (the seed's FGSM / PGD numbers);
 *  - a chain (the strong suite, AutoAttack-style): each setting attacks only the samples still
 *    correct after the clean pass and every earlier setting, gathered into full batches; its
 *    accuracy is the robust accuracy after it, the strongest image per sample kept.
 * The clean pass of this T is given (never recomputed); at ε = 0 every attack's image is the
 * clean one, so its scores are the clean scores.
 */
import type { SpikingModel } from '../snn/model.js';
import type { AttackContext } from '../attacks/base.js';
import type { AttackOptions } from '../attacks/options.js';
import { attackSpec, createAttack } from '../attacks/registry.js';
import { Rng, mixSeed } from '../data/rng.js';
import { type EvalSet, gather, chunks } from './eval-set.js';
import { scoreBatch, nameCode, type BatchScore, type ScoreContext } from './scoring.js';
import { WorstCaseTracker, meanPercent } from './worst-case.js';
import { SpikeCounter, type LayerSpikeStats } from './spikes.js';
import type { Score, WorstCase } from './result-schema.js';
import type { StartProgress } from '../progress.js';

/** the strong suite in the order it runs; each attack only sees what the previous ones left */
export const STRONG_SUITE = ['apgd-ce', 'apgd-dlr', 'ensemble', 'transfer-ann', 'square'] as const;

export type Box = 'whiteBox' | 'blackBox';

/** the scores of every sample under one setting, in dataset order */
export interface SampleScores {
  top1: Float32Array;
  top5: Float32Array;
  /** [n, classes] when logits are kept */
  logits?: Float32Array;
  nonFinite: Uint8Array;
  allEqual: Uint8Array;
  spikes: SpikeCounter;
}

export interface SettingOutcome {
  /** 'clean' or `<attack>.<box>` */
  setting: string;
  attack: string;
  box?: Box;
  score: Score;
  /** over the images this setting scored; absent when it scored none (a chained attack with nothing left) */
  spikes?: LayerSpikeStats[];
  /** [n, classes] in dataset order, when logits are kept */
  logits?: Float32Array;
}

/** what running one attack over some samples needs */
export interface AttackRunInput {
  set: EvalSet;
  model: SpikingModel;
  bbModel?: SpikingModel;
  timesteps: number;
  epsilon: number;
  /** the options of an attack at this ε */
  options(attack: string): AttackOptions;
  /** how forwards are taken and scored (encoding, draws, seed) */
  scoring: Omit<ScoreContext, 'model' | 'timesteps'>;
  /** attack context extras (EOT, surrogate), the same for every attack */
  context: Omit<AttackContext, 'model' | 'timesteps' | 'rng' | 'encoding'>;
  batch: number;
  progress?: StartProgress;
}

export interface SuiteInput extends AttackRunInput {
  /** registry names, in the order they run */
  attacks: readonly string[];
  chain: boolean;
  clean: SampleScores;
  keepLogits: boolean;
}

export interface SuiteOutcome {
  /** clean first, then each setting in the order it ran */
  settings: SettingOutcome[];
  worstCase: WorstCase;
}

const BOX_STREAM: Record<Box, number> = { whiteBox: 1, blackBox: 2 };
const POISSON_STREAM = 0x504f49;

/** the settings an attack runs as: white-box, and black-box from --bb-model for gradient attacks */
export function settingsOf(attack: string, hasBbModel: boolean): Box[] {
  return hasBbModel && attackSpec(attack).needs.gradients ? ['whiteBox', 'blackBox'] : ['whiteBox'];
}

export function scoreSummary(top1: Float32Array, top5: Float32Array, extra: Partial<Score> = {}): Score {
  return { top1: meanPercent(top1), top5: meanPercent(top5), ...extra };
}

export function runSuite(input: SuiteInput): SuiteOutcome {
  const { set, model, clean } = input;
  const classes = model.spec.labels;
  const tracker = new WorstCaseTracker(set.count, classes, input.keepLogits);
  const everyone = Int32Array.from({ length: set.count }, (_, i) => i);
  tracker.offer('clean', everyone, { ...clean, logits: clean.logits ?? new Float32Array(set.count * classes), spikeCounts: [] });
  const settings: SettingOutcome[] = [{
    setting: 'clean', attack: 'clean', score: scoreSummary(clean.top1, clean.top5, degenerate(clean)), spikes: clean.spikes.stats(),
    ...(clean.logits ? { logits: clean.logits } : {}),
  }];
  for (const attack of input.attacks) {
    for (const box of settingsOf(attack, input.bbModel !== undefined)) {
      const setting = `${attack}.${box}`;
      const targets = input.chain ? tracker.stillCorrect() : everyone;
      const run = input.epsilon === 0 ? cleanAsAdversarial(input, targets) : attackSamples(input, attack, box, targets);
      let broken = 0;
      for (let k = 0; k < targets.length; k++) if (run.scores.top1[k] === 0 && clean.top1[targets[k]] > 0) broken++;
      tracker.offer(setting, targets, run.scores);
      const own = input.chain ? { top1: Float32Array.from(tracker.top1), top5: Float32Array.from(tracker.top5), logits: tracker.logits && Float32Array.from(tracker.logits) } : run.scores;
      settings.push({
        setting, attack, box,
        score: scoreSummary(own.top1, own.top5, { ...(input.chain ? { attacked: targets.length, broken } : {}), ...degenerate(run.scores) }),
        ...(targets.length ? { spikes: run.spikes.stats() } : {}),
        ...(input.keepLogits && own.logits ? { logits: own.logits } : {}),
      });
    }
  }
  return { settings, worstCase: tracker.result() };
}

export interface AttackRun {
  /** positions match the targets */
  scores: BatchScore;
  spikes: SpikeCounter;
}

/** the attack crafted on the white-box model or the black-box source, scored on the model, for the samples at `targets` */
export function attackSamples(input: AttackRunInput, attack: string, box: Box, targets: Int32Array): AttackRun {
  const { set, model } = input;
  const source = box === 'whiteBox' ? model : input.bbModel!;
  const scores = emptyScores(targets.length, model.spec.labels);
  const spikes = new SpikeCounter(model, input.timesteps);
  const progress = targets.length ? input.progress?.(`${attack} ${box === 'whiteBox' ? 'white-box' : 'black-box'} eps=${round(input.epsilon)} T=${input.timesteps}`, targets.length) : undefined;
  const options = input.options(attack);
  let done = 0;
  let correct = 0;
  let chunkIndex = 0;
  for (const part of chunks(targets, input.batch)) {
    const stream = [chunkIndex, BOX_STREAM[box], nameCode(attack)];
    const batch = gather(set, part);
    const ctx: AttackContext = {
      ...input.context, model: source, timesteps: input.timesteps, encoding: input.scoring.encoding,
      rng: input.scoring.encoding === 'poisson' ? new Rng(mixSeed(input.scoring.seed, ...stream, POISSON_STREAM)) : undefined,
    };
    const adv = createAttack(attack, options, new Rng(mixSeed(input.scoring.seed, ...stream))).perturb(ctx, batch);
    const s = scoreBatch({ ...input.scoring, model, timesteps: input.timesteps }, { ...batch, x01: adv }, stream);
    placeScores(scores, s, done, model.spec.labels);
    spikes.add(s.spikeCounts, part.length * input.scoring.draws);
    for (let k = 0; k < part.length; k++) correct += s.top1[k];
    done += part.length;
    chunkIndex++;
    progress?.update(done, `${(100 * correct / done).toFixed(1)}% still correct`);
  }
  progress?.stop();
  return { scores, spikes };
}

/** at ε = 0 the only image in the ball is the clean one */
function cleanAsAdversarial(input: SuiteInput, targets: Int32Array): AttackRun {
  const c = input.model.spec.labels;
  const scores = emptyScores(targets.length, c);
  for (let k = 0; k < targets.length; k++) {
    const i = targets[k];
    scores.top1[k] = input.clean.top1[i];
    scores.top5[k] = input.clean.top5[i];
    scores.nonFinite[k] = input.clean.nonFinite[i];
    scores.allEqual[k] = input.clean.allEqual[i];
    if (input.clean.logits) scores.logits.set(input.clean.logits.subarray(i * c, (i + 1) * c), k * c);
  }
  return { scores, spikes: input.clean.spikes };
}

export function emptyScores(n: number, classes: number): BatchScore {
  return { top1: new Float32Array(n), top5: new Float32Array(n), logits: new Float32Array(n * classes), nonFinite: new Uint8Array(n), allEqual: new Uint8Array(n), spikeCounts: [] };
}

export function placeScores(into: BatchScore, part: BatchScore, offset: number, classes: number): void {
  into.top1.set(part.top1, offset);
  into.top5.set(part.top5, offset);
  into.logits.set(part.logits, offset * classes);
  into.nonFinite.set(part.nonFinite, offset);
  into.allEqual.set(part.allEqual, offset);
}

/** how many of the images a setting scored gave non-finite or all-equal outputs */
function degenerate(s: { nonFinite: Uint8Array; allEqual: Uint8Array }): { nonFinite: number; allEqual: number } {
  let nonFinite = 0;
  let allEqual = 0;
  for (let i = 0; i < s.nonFinite.length; i++) {
    nonFinite += s.nonFinite[i];
    allEqual += s.allEqual[i];
  }
  return { nonFinite, allEqual };
}

function round(v: number): string {
  return String(Number(v.toPrecision(4)));
}
