/**
 * The report's charts as Vega-Lite specs, one builder per section, each over the flat rows of
 * rows.ts. Rendering (compile + Vega's headless view) is render-svg.ts.
 */
import type { TopLevelSpec } from 'vega-lite';
import { type AccuracyRow, type LatencyRow, type SpikeRow, type EnergyRow, type EpochRow } from './rows.js';

const PANEL = { width: 260, height: 180 };
const TOP1 = { field: 'top1', type: 'quantitative' as const, title: 'top-1 %', scale: { domain: [0, 100] } };
const ATTACK_SETTING = (s: string) => s !== 'clean';
/** the values of `field` in the order they first appear (facets and legends keep the data's order) */
const firstSeen = (values: readonly Record<string, unknown>[], field: string) => [...new Set(values.map((v) => String(v[field])))];

/**
 * Accuracy vs ε, one panel per attack setting, one line per model (per model and T when its file
 * sweeps T). An attack at ε = 0 leaves the image as it is, so each line starts at the clean
 * accuracy when the file has no ε = 0 point of its own.
 */
export function accuracyVsEpsilon(rows: readonly AccuracyRow[]): TopLevelSpec {
  const values: Record<string, unknown>[] = [];
  const series = (r: AccuracyRow) => r.model + (r.sweepsT ? ` T=${r.timesteps}` : '');
  for (const r of rows) if (ATTACK_SETTING(r.setting)) values.push({ series: series(r), setting: r.setting, epsilon: r.epsilon, top1: r.top1 });
  for (const clean of rows.filter((r) => r.setting === 'clean')) {
    const settings = new Set(rows.filter((r) => ATTACK_SETTING(r.setting) && series(r) === series(clean)).map((r) => r.setting));
    for (const setting of settings) {
      const hasZero = values.some((v) => v.series === series(clean) && v.setting === setting && v.epsilon === 0);
      if (!hasZero) values.push({ series: series(clean), setting, epsilon: 0, top1: clean.top1 });
    }
  }
  return settingPanels(values, { field: 'epsilon', title: 'ε (L∞, [0,1] pixels)', axis: { format: '.3f' } }, 'model');
}

/** Accuracy vs T (the latency axis), one panel per setting, one line per series of rows.ts's latencyRows. */
export function accuracyVsTimesteps(rows: readonly LatencyRow[]): TopLevelSpec {
  const values = rows.map((r) => ({ series: r.series, setting: r.setting, timesteps: r.timesteps, top1: r.top1, models: r.models.length }));
  // a line is one model's own T sweep, or a training method's models joined across files
  const legend = rows.every((r) => r.joined) ? 'training method' : rows.some((r) => r.joined) ? 'model or training method' : 'model';
  return settingPanels(values, { field: 'timesteps', title: 'time steps T', scale: { zero: false }, axis: { format: 'd', tickMinStep: 1 } }, legend);
}

/** small multiples: one panel per `setting`, one coloured line per `series` over the x field, accuracy on y */
function settingPanels(values: Record<string, unknown>[], x: { field: string; title: string; axis?: { format: string; tickMinStep?: number }; scale?: { zero: boolean } }, legend: string): TopLevelSpec {
  return {
    data: { values },
    facet: { field: 'setting', type: 'nominal', title: null, sort: firstSeen(values, 'setting') },
    columns: 3,
    spec: {
      ...PANEL,
      mark: { type: 'line', point: true },
      encoding: {
        x: { ...x, type: 'quantitative' },
        y: TOP1,
        color: { field: 'series', type: 'nominal', title: legend, sort: firstSeen(values, 'series') },
        order: { field: x.field },
      },
    },
  };
}

/** Per-attack (and worst-case) accuracy bars of each model at its first (top-level) point. */
export function robustnessBars(rows: readonly AccuracyRow[]): TopLevelSpec {
  const values = rows.map((r) => ({ model: r.model, setting: r.setting, top1: r.top1 }));
  return {
    data: { values },
    width: { step: 28 },
    height: 220,
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'setting', type: 'nominal', title: null, sort: firstSeen(values, 'setting'), axis: { labelAngle: -30 } },
      xOffset: { field: 'model', type: 'nominal', sort: firstSeen(values, 'model') },
      y: TOP1,
      color: { field: 'model', type: 'nominal', title: 'model', sort: firstSeen(values, 'model') },
    },
  };
}

/** Spikes per neuron per image (over all T) per layer: one line per setting, one row per model. */
export function spikesPerLayer(rows: readonly SpikeRow[]): TopLevelSpec {
  return modelRows(rows, (values) => ({
    width: 420, height: 180,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'layer', type: 'ordinal', title: 'spiking layer', sort: { field: 'order', op: 'min' } },
      y: { field: 'spikesPerNeuron', type: 'quantitative', title: 'spikes / neuron / image' },
      color: { field: 'setting', type: 'nominal', title: 'input', sort: firstSeen(values, 'setting') },
      order: { field: 'order' },
    },
  }));
}

/** Energy per image per weighted layer, ANN (every MAC) next to the SNN (spike-driven ACs). */
export function energyPerLayer(rows: readonly EnergyRow[]): TopLevelSpec {
  return modelRows(rows, () => ({
    width: { step: 14 }, height: 180,
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'layer', type: 'ordinal', title: 'layer', sort: { field: 'order', op: 'min' } },
      xOffset: { field: 'kind', type: 'nominal' },
      y: { field: 'microjoules', type: 'quantitative', title: 'µJ per image' },
      color: { field: 'kind', type: 'nominal', title: null },
    },
  }));
}

type FacetedSpec = Extract<TopLevelSpec, { facet: unknown }>;

/** one row of panels per model, each with its own layer axis (models differ in their layers); `panel` makes the panel from the rows */
function modelRows(rows: readonly object[], panel: (values: Record<string, unknown>[]) => FacetedSpec['spec']): TopLevelSpec {
  const values = rows.map((r) => ({ ...r }) as Record<string, unknown>);
  return {
    data: { values },
    facet: { row: { field: 'model', type: 'nominal', title: null, sort: firstSeen(values, 'model') } },
    spec: panel(values),
    resolve: { scale: { x: 'independent' } },
  };
}

const CURVES: { panel: string; split: 'train' | 'test'; key: keyof EpochRow }[] = [
  { panel: 'loss', split: 'train', key: 'trainLoss' }, { panel: 'loss', split: 'test', key: 'testLoss' },
  { panel: 'top-1 %', split: 'train', key: 'trainTop1' }, { panel: 'top-1 %', split: 'test', key: 'testTop1' },
  { panel: 'firing rate (mean over layers)', split: 'train', key: 'trainRate' }, { panel: 'firing rate (mean over layers)', split: 'test', key: 'testRate' },
  { panel: 'learning rate', split: 'train', key: 'lr' },
];

/** Loss, accuracy, firing rate and learning rate per epoch: one panel each, one colour per run, dashed = test. */
export function trainingCurves(rows: readonly EpochRow[]): TopLevelSpec {
  const values = rows.flatMap((r) => CURVES.filter((c) => r[c.key] !== null).map((c) => ({ run: r.run, epoch: r.epoch, panel: c.panel, split: c.split, value: r[c.key] })));
  return {
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: [...new Set(CURVES.map((c) => c.panel))] },
    columns: 2,
    spec: {
      ...PANEL,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'run', type: 'nominal', title: 'run', sort: firstSeen(values, 'run') },
        strokeDash: { field: 'split', type: 'nominal', title: null, sort: ['train', 'test'], legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300 } },
        order: { field: 'epoch' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}
