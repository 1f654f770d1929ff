/** The report's tables (model identities, protocols, diagnostics and every charted number), as plain text cells. */
import type { ReportInputs } from './inputs.js';
import type { EvalInput } from './eval-file.js';
import type { Table } from './html.js';
import { formatEpsilon, headline, type AccuracyRow, type LatencyRow, type SpikeRow, type EnergyRow, type EpochRow } from './rows.js';

type LabeledEval = EvalInput & { label: string };

/** a protocol value as text: lists joined by commas, objects as JSON */
export function compact(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.map(compact).join(',') : 'none';
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const fixed = (digits: number) => (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(digits));
const pct = fixed(2);

export function modelTable(inputs: ReportInputs): Table {
  const rows: string[][] = [];
  for (const e of inputs.evals) {
    const T = String(e.data.protocol.timesteps);
    for (const [role, m] of [['evaluated', e.data.model], ['black-box source', e.data.bbModel]] as const) {
      if (m) rows.push([e.label, `${role} (${e.file})`, m.path, m.sha256, m.architecture ?? '?', T, m.method ?? '?', e.data.dataset.name]);
    }
  }
  for (const r of inputs.runs) {
    const m = r.model;
    rows.push([r.label, `trained (${r.dir})`, m.path, m.sha256 ?? 'not written yet', m.architecture ?? '?', m.timesteps === undefined ? '?' : String(m.timesteps), m.method ?? '?', m.dataset ?? '?']);
  }
  return { caption: 'models', head: ['label', 'role (input)', 'model file', 'sha256', 'architecture', 'T', 'method', 'dataset'], rows };
}

/** one column per eval file, one row per protocol field (the union over the files) */
export function protocolTable(evals: readonly LabeledEval[]): Table {
  const fields = [...new Set(evals.flatMap((e) => Object.keys(e.data.protocol)))];
  const rows = [
    ['dataset', ...evals.map((e) => `${e.data.dataset.name} ${e.data.dataset.split ?? ''}`.trim())],
    ['n', ...evals.map((e) => String(e.data.n))],
    ...fields.map((f) => [f, ...evals.map((e) => (f in e.data.protocol ? compact((e.data.protocol as Record<string, unknown>)[f]) : '-'))]),
  ];
  const sweeps = evals.map((e) => e.points.map((p) => `ε ${formatEpsilon(p.epsilon)} T ${p.timesteps}`).join('; '));
  if (evals.some((e) => e.points.length > 1)) rows.push(['evaluated (ε, T)', ...sweeps]);
  return { caption: 'protocol', head: ['field', ...evals.map((e) => e.label)], rows };
}

export function diagnosticsTable(e: LabeledEval): Table {
  return {
    caption: `masking diagnostics: ${e.label}`,
    head: ['check', 'triggered', 'evidence', 'what it means, what to try'],
    rows: headline(e).diagnostics.map((d) => [d.id, d.triggered ? 'TRIGGERED' : 'no', d.evidence, d.advice ?? '']),
  };
}

/** rows (model, ε, T), one column per setting: the layout papers print */
export function accuracyTable(rows: readonly AccuracyRow[]): Table {
  const settings = [...new Set(rows.map((r) => r.setting))];
  const keyed = new Map<string, { model: string; epsilon: number; timesteps: number; n: number; cells: Map<string, AccuracyRow> }>();
  for (const r of rows) {
    const key = JSON.stringify([r.model, r.epsilon, r.timesteps]);
    if (!keyed.has(key)) keyed.set(key, { model: r.model, epsilon: r.epsilon, timesteps: r.timesteps, n: r.n, cells: new Map() });
    keyed.get(key)!.cells.set(r.setting, r);
  }
  return {
    caption: 'top-1 accuracy, % (n test images)',
    head: ['model', 'ε', 'T', 'n', ...settings],
    rows: [...keyed.values()].map((k) => [k.model, formatEpsilon(k.epsilon), String(k.timesteps), String(k.n), ...settings.map((s) => pct(k.cells.get(s)?.top1))]),
  };
}

/** the accuracy-vs-T lines joined across files (the per-file ones are rows of the accuracy table) */
export function latencyTable(rows: readonly LatencyRow[]): Table {
  const settings = [...new Set(rows.map((r) => r.setting))];
  const keyed = new Map<string, { series: string; timesteps: number; models: Set<string>; cells: Map<string, LatencyRow> }>();
  for (const r of rows) {
    const key = JSON.stringify([r.series, r.timesteps]);
    if (!keyed.has(key)) keyed.set(key, { series: r.series, timesteps: r.timesteps, models: new Set(), cells: new Map() });
    const k = keyed.get(key)!;
    k.cells.set(r.setting, r);
    r.models.forEach((m) => k.models.add(m));
  }
  return {
    caption: 'top-1 accuracy vs T, %, mean over the models of each line at each T',
    head: ['line', 'T', 'models', ...settings],
    rows: [...keyed.values()].map((k) => [k.series, String(k.timesteps), [...k.models].join(', '), ...settings.map((s) => pct(k.cells.get(s)?.top1))]),
  };
}

export function spikeTable(rows: readonly SpikeRow[]): Table {
  const settings = [...new Set(rows.map((r) => r.setting))];
  const layers = new Map<string, { model: string; layer: string; neurons: number; by: Map<string, number | null> }>();
  for (const r of rows) {
    const key = `${r.model}\u0000${r.layer}`;
    if (!layers.has(key)) layers.set(key, { model: r.model, layer: r.layer, neurons: r.neurons, by: new Map() });
    layers.get(key)!.by.set(r.setting, r.spikesPerNeuron);
  }
  return {
    caption: 'spikes per neuron per image (all T steps)',
    head: ['model', 'layer', 'neurons', ...settings],
    rows: [...layers.values()].map((l) => [l.model, l.layer, String(l.neurons), ...settings.map((s) => fixed(4)(l.by.get(s)))]),
  };
}

export function energyTable(rows: readonly EnergyRow[]): Table {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const key = `${r.model}\u0000${r.layer}`;
    if (!out.has(key)) out.set(key, [r.model, r.layer, String(r.macs), '', '']);
    out.get(key)![r.kind === 'ANN' ? 3 : 4] = fixed(4)(r.microjoules);
  }
  return { caption: 'energy per image, µJ', head: ['model', 'layer', 'MACs', 'ANN µJ', 'SNN µJ'], rows: [...out.values()] };
}

export function epochTable(rows: readonly EpochRow[]): Table {
  const f4 = fixed(4);
  return {
    caption: 'training per epoch',
    head: ['run', 'epoch', 'lr', 'train loss', 'train top-1 %', 'train firing rate', 'test loss', 'test top-1 %', 'test firing rate', 'seconds'],
    rows: rows.map((r) => [r.run, String(r.epoch), r.lr === null ? '-' : String(r.lr), f4(r.trainLoss), pct(r.trainTop1), f4(r.trainRate), f4(r.testLoss), pct(r.testTop1), f4(r.testRate), fixed(1)(r.seconds)]),
  };
}
