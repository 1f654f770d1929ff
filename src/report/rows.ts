/**
 * The report's numbers as flat rows (tidy data): the charts and the tables are both drawn from
 * these, so a number in a chart and in its table cannot disagree.
 */
import type { EvalInput } from './eval-file.js';
import type { SweepEntry } from '../eval/result-schema.js';
import type { RunInput } from './run-folder.js';

type Labeled<T> = T & { label: string };

export interface AccuracyRow {
  model: string;
  /** the model's training method and architecture (eval JSON `model`) */
  method: string;
  architecture: string;
  /** whether the model's file evaluated several T / several ε */
  sweepsT: boolean;
  sweepsEps: boolean;
  setting: string;
  epsilon: number;
  timesteps: number;
  top1: number | null;
  top5: number | null;
  n: number;
}

export interface SpikeRow { model: string; setting: string; layer: string; order: number; neurons: number; spikesPerNeuron: number | null }
export interface EnergyRow { model: string; layer: string; order: number; kind: 'ANN' | 'SNN'; microjoules: number | null; macs: number }
export interface EpochRow {
  run: string; epoch: number; lr: number | null;
  trainLoss: number | null; trainTop1: number | null; trainRate: number | null;
  testLoss: number | null; testTop1: number | null; testRate: number | null;
  seconds: number | null;
}

const WB = { whiteBox: 'white-box', blackBox: 'black-box' } as const;

/** every scored setting of one point, in the order clean, each attack (white-, black-box), worst case */
export function settingsOf(p: SweepEntry): { setting: string; top1: number | null; top5: number | null }[] {
  const out: { setting: string; top1: number | null; top5: number | null }[] = [];
  const { clean, worstCase, ...attacks } = p.results;
  if (clean) out.push({ setting: 'clean', top1: clean.top1, top5: clean.top5 ?? null });
  for (const [attack, r] of Object.entries(attacks)) {
    for (const box of ['whiteBox', 'blackBox'] as const) {
      const s = r?.[box];
      if (s) out.push({ setting: `${attack} ${WB[box]}`, top1: s.top1, top5: s.top5 ?? null });
    }
  }
  if (worstCase) out.push({ setting: 'worst case', top1: worstCase.top1, top5: null });
  return out;
}

const distinct = (xs: readonly number[]) => new Set(xs).size;

/**
 * The point a single-number view (bars, spikes, energy, diagnostics) shows: the largest ε
 * evaluated at the file's first T (a sweep from ε = 0 would otherwise show the clean numbers as
 * every attack's). A single-point file has only that point.
 */
export function headline(e: EvalInput): SweepEntry {
  const T = e.points[0].timesteps;
  return e.points.filter((p) => p.timesteps === T).reduce((best, p) => (p.epsilon > best.epsilon ? p : best));
}

export function accuracyRows(evals: readonly Labeled<EvalInput>[]): AccuracyRow[] {
  return evals.flatMap((e) => {
    const sweepsT = distinct(e.points.map((p) => p.timesteps)) > 1;
    const sweepsEps = distinct(e.points.map((p) => p.epsilon)) > 1;
    return e.points.flatMap((p) => settingsOf(p).map((s) => ({
      model: e.label, method: e.data.model.method, architecture: e.data.model.architecture, sweepsT, sweepsEps, setting: s.setting, epsilon: p.epsilon, timesteps: p.timesteps, top1: s.top1, top5: s.top5, n: e.data.n,
    })));
  });
}

/** one point of an accuracy-vs-T line: the mean top-1 of the models (labels) at T */
export interface LatencyRow {
  series: string; setting: string; timesteps: number; top1: number | null; models: string[];
  /** a line across files (one model per file), not one file's own T sweep */
  joined: boolean;
}

/**
 * The accuracy-vs-T lines. A file that evaluates its model at several T gives one line per model
 * (per ε for the attacks: clean does not depend on ε). Models evaluated at one T each (a latency
 * sweep fine-tunes one model per T) are joined across files: one line per training method (and
 * architecture, and ε, when those differ), the mean over the models at each T, drawn when it
 * spans at least two T.
 */
export function latencyRows(rows: readonly AccuracyRow[]): LatencyRow[] {
  // per point of a line, each model's top-1 once (a file repeats clean at every ε)
  const points = new Map<string, { series: string; setting: string; timesteps: number; joined: boolean; byModel: Map<string, number | null> }>();
  const add = (series: string, r: AccuracyRow, joined: boolean) => {
    const key = JSON.stringify([series, r.setting, r.timesteps]);
    const p = points.get(key) ?? { series, setting: r.setting, timesteps: r.timesteps, joined, byModel: new Map() };
    points.set(key, p);
    if (!p.byModel.has(r.model)) p.byModel.set(r.model, r.top1);
  };
  const attackEps = (r: AccuracyRow, several: boolean) => (several && r.setting !== 'clean' ? ` ε=${formatEpsilon(r.epsilon)}` : '');
  for (const r of rows.filter((x) => x.sweepsT)) add(r.model + attackEps(r, r.sweepsEps), r, false);

  const single = rows.filter((r) => !r.sweepsT);
  const severalArch = new Set(single.map((r) => r.architecture)).size > 1;
  const severalEps = distinct(single.filter((r) => r.setting !== 'clean').map((r) => r.epsilon)) > 1;
  // "method " tells a joined line from a model's own line only when both kinds are drawn
  const prefix = rows.some((r) => r.sweepsT) ? 'method ' : '';
  const joined = (r: AccuracyRow) => `${prefix}${r.method}${severalArch ? `, ${r.architecture}` : ''}${attackEps(r, severalEps)}`;
  const spansT = new Map<string, Set<number>>();
  for (const r of single) spansT.set(joined(r), (spansT.get(joined(r)) ?? new Set()).add(r.timesteps));
  for (const r of single) if (spansT.get(joined(r))!.size > 1) add(joined(r), r, true);

  return [...points.values()].map((p) => {
    const known = [...p.byModel.values()].filter((v): v is number => v !== null);
    const top1 = known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
    return { series: p.series, setting: p.setting, timesteps: p.timesteps, top1, models: [...p.byModel.keys()], joined: p.joined };
  });
}

/** the spikes of each model's headline point, per setting and layer */
export function spikeRows(evals: readonly Labeled<EvalInput>[]): SpikeRow[] {
  return evals.flatMap((e) => Object.entries(headline(e).spikes).flatMap(([setting, layers]) =>
    layers.map((l, order) => ({
      model: e.label, setting: setting.replace('.whiteBox', ' white-box').replace('.blackBox', ' black-box'),
      layer: l.name, order, neurons: l.neurons, spikesPerNeuron: l.spikesPerNeuron,
    }))));
}

/** energy per image of each model's headline point: every weighted op as an ANN (MACs) and as the SNN */
export function energyRows(evals: readonly Labeled<EvalInput>[]): EnergyRow[] {
  return evals.flatMap((e) => {
    const en = headline(e).energy;
    if (!en) return [];
    return en.ops.flatMap((op, order) => [
      { model: e.label, layer: op.name, order, kind: 'ANN' as const, microjoules: (en.constants.macPj * op.macs) / 1e6, macs: op.macs },
      { model: e.label, layer: op.name, order, kind: 'SNN' as const, microjoules: op.pj === null ? null : op.pj / 1e6, macs: op.macs },
    ]);
  });
}

const mean = (xs: readonly { rate: number }[] | undefined) => (xs?.length ? xs.reduce((s, x) => s + x.rate, 0) / xs.length : null);
const finite = (v: number | null | undefined) => (v === undefined || v === null || !Number.isFinite(v) ? null : v);

/** per epoch of each run; the converted model before any training is epoch 0 (test only) */
export function epochRows(runs: readonly Labeled<RunInput>[]): EpochRow[] {
  return runs.flatMap((r) => {
    const rows: EpochRow[] = [];
    const conversion = r.log.find((e) => e.event === 'conversion') as { test?: { top1?: number; loss?: number; meanFiringRate?: number } } | undefined;
    if (conversion?.test) {
      rows.push({
        run: r.label, epoch: 0, lr: null, trainLoss: null, trainTop1: null, trainRate: null,
        testLoss: finite(conversion.test.loss), testTop1: finite(conversion.test.top1), testRate: finite(conversion.test.meanFiringRate), seconds: null,
      });
    }
    for (const e of r.epochs) {
      rows.push({
        run: r.label, epoch: e.epoch, lr: finite(e.lr),
        trainLoss: finite(e.trainLoss), trainTop1: finite(e.trainTop1), trainRate: finite(mean(e.trainFiringRates)),
        testLoss: finite(e.test?.loss), testTop1: finite(e.test?.top1), testRate: finite(e.test?.meanFiringRate),
        seconds: e.seconds,
      });
    }
    return rows;
  });
}

/** 8/255 for multiples of 1/255, else the number */
export function formatEpsilon(e: number): string {
  const k = e * 255;
  if (e > 0 && Math.abs(k - Math.round(k)) < 1e-6) return `${Math.round(k)}/255`;
  return String(Number(e.toPrecision(4)));
}
