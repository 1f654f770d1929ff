/**
 * The seed's robustness test workflow as one library call: clean accuracy, FGSM and PGD
 * white-box (crafted on the model itself) and black-box (crafted on a second model, scored
 * on the first), spike statistics on clean and adversarial inputs, and energy.
 */
import { Tensor, noGrad } from '../tensor/tensor.js';
import { releasingBuffers } from '../tensor/buffer.js';
import type { SpikingModel } from '../snn/model.js';
import type { Attack } from '../attacks/base.js';
import { Fgsm } from '../attacks/fgsm.js';
import { Pgd } from '../attacks/pgd.js';
import { Rng, mixSeed } from '../data/rng.js';
import { AccuracyMeter } from './accuracy.js';
import { SpikeCounter, type LayerSpikeStats } from './spikes.js';
import { estimateEnergy, type EnergyConstants, type EnergyReport, DEFAULT_ENERGY } from './energy.js';

export type AttackName = 'clean' | 'fgsm' | 'pgd';
export const ATTACK_NAMES: readonly AttackName[] = ['clean', 'fgsm', 'pgd'];

export interface Protocol {
  timesteps: number;
  attacks: AttackName[];
  epsilon: number;
  pgdSteps: number;
  pgdStepSize: number;
  pgdRandomStart: boolean;
  seed: number;
}

export interface EvalBatch {
  x01: Float32Array;
  shape: readonly number[];
  labels: Int32Array;
}

/** one scored setting: 'clean', 'fgsm.whiteBox', 'pgd.blackBox', ... */
export type SettingName = 'clean' | `${'fgsm' | 'pgd'}.${'whiteBox' | 'blackBox'}`;

export interface Progress {
  done: number;
  total: number;
  running: Partial<Record<SettingName, number>>;
}

export interface EvalResult {
  n: number;
  results: {
    clean?: { top1: number; top5: number };
    fgsm?: { whiteBox?: { top1: number; top5: number }; blackBox?: { top1: number; top5: number } };
    pgd?: { whiteBox?: { top1: number; top5: number }; blackBox?: { top1: number; top5: number } };
  };
  spikes: Partial<Record<SettingName, LayerSpikeStats[]>>;
  energy?: EnergyReport;
  /** logits per setting in dataset order, [n, classes] */
  logits: Partial<Record<SettingName, Float32Array>>;
  labels: Int32Array;
}

export interface EvaluateOptions {
  model: SpikingModel;
  bbModel?: SpikingModel;
  batches: Iterable<EvalBatch>;
  total: number;
  protocol: Protocol;
  energy?: EnergyConstants;
  onProgress?: (p: Progress) => void;
  keepLogits?: boolean;
}

function makeAttack(name: 'fgsm' | 'pgd', p: Protocol, batchIndex: number, source: number): Attack {
  if (name === 'fgsm') return new Fgsm(p.epsilon);
  return new Pgd({
    epsilon: p.epsilon, steps: p.pgdSteps, stepSize: p.pgdStepSize, randomStart: p.pgdRandomStart,
    rng: new Rng(mixSeed(p.seed, batchIndex, source)),
  });
}

export function evaluate(opts: EvaluateOptions): EvalResult {
  const { model, bbModel, protocol } = opts;
  const classes = model.spec.labels;
  const settings: SettingName[] = [];
  if (protocol.attacks.includes('clean')) settings.push('clean');
  for (const a of ['fgsm', 'pgd'] as const) {
    if (!protocol.attacks.includes(a)) continue;
    settings.push(`${a}.whiteBox`);
    if (bbModel) settings.push(`${a}.blackBox`);
  }
  const meters = new Map(settings.map((s) => [s, new AccuracyMeter()]));
  const counters = new Map(settings.map((s) => [s, new SpikeCounter(model, protocol.timesteps)]));
  const logits = new Map(settings.map((s) => [s, [] as Float32Array[]]));
  const labels: Int32Array[] = [];
  let done = 0;
  let batchIndex = 0;

  const score = (setting: SettingName, x01: Float32Array, batch: EvalBatch) => {
    const out = releasingBuffers(
      () => noGrad(() => model.forward(new Tensor(x01, batch.shape), { timesteps: protocol.timesteps })),
      (r) => [r.logits.data],
    );
    meters.get(setting)!.add(out.logits.data, batch.labels, classes);
    counters.get(setting)!.add(out.spikeCounts, batch.labels.length);
    if (opts.keepLogits) logits.get(setting)!.push(out.logits.data);
  };

  for (const batch of opts.batches) {
    const attackBatch = { x01: batch.x01, shape: batch.shape, labels: batch.labels };
    for (const setting of settings) {
      if (setting === 'clean') {
        score(setting, batch.x01, batch);
        continue;
      }
      const [name, box] = setting.split('.') as ['fgsm' | 'pgd', 'whiteBox' | 'blackBox'];
      const source = box === 'whiteBox' ? model : bbModel!;
      const adv = makeAttack(name, protocol, batchIndex, box === 'whiteBox' ? 1 : 2).perturb({ model: source, timesteps: protocol.timesteps }, attackBatch);
      score(setting, adv, batch);
    }
    if (opts.keepLogits) labels.push(batch.labels);
    done += batch.labels.length;
    batchIndex++;
    opts.onProgress?.({ done, total: opts.total, running: Object.fromEntries([...meters].map(([k, m]) => [k, m.top1Percent])) });
  }

  const acc = (s: SettingName) => {
    const m = meters.get(s);
    return m ? { top1: m.top1Percent, top5: m.top5Percent } : undefined;
  };
  const results: EvalResult['results'] = {};
  if (meters.has('clean')) results.clean = acc('clean');
  for (const a of ['fgsm', 'pgd'] as const) {
    if (!protocol.attacks.includes(a)) continue;
    results[a] = { whiteBox: acc(`${a}.whiteBox`), ...(bbModel ? { blackBox: acc(`${a}.blackBox`) } : {}) };
  }
  const spikes = Object.fromEntries([...counters].map(([k, c]) => [k, c.stats()]));
  const energySource = counters.get('clean') ?? counters.values().next().value;
  const joined = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  };
  const labelsAll = new Int32Array(done);
  let off = 0;
  for (const l of labels) {
    labelsAll.set(l, off);
    off += l.length;
  }
  return {
    n: done,
    results,
    spikes,
    energy: energySource ? estimateEnergy(model, energySource.perNeuron(), opts.energy ?? DEFAULT_ENERGY) : undefined,
    logits: opts.keepLogits ? Object.fromEntries([...logits].map(([k, parts]) => [k, joined(parts)])) : {},
    labels: labelsAll,
  };
}
