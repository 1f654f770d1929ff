/**
 * The report's sections, in the order a reader asks the questions: what was measured and how,
 * accuracy vs ε and vs T, per-attack and worst-case accuracy with the masking diagnostics,
 * spikes, energy, training curves, and the tables for copying. A section whose data no input
 * holds says so instead of drawing an empty chart.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportInputs } from './inputs.js';
import type { EvalInput } from './eval-file.js';
import type { SweepEntry } from '../eval/result-schema.js';
import type { Section } from './html.js';
import { renderSvg } from './render-svg.js';
import { accuracyVsEpsilon, accuracyVsTimesteps, robustnessBars, spikesPerLayer, energyPerLayer, trainingCurves } from './charts.js';
import { accuracyRows, latencyRows, spikeRows, energyRows, epochRows, formatEpsilon, headline, type AccuracyRow } from './rows.js';
import { accuracyTable, latencyTable, spikeTable, energyTable, epochTable, modelTable, protocolTable, diagnosticsTable, compact } from './tables.js';

type LabeledEval = EvalInput & { label: string };

/** fields of the protocol left out of the one-line summary (the protocol table has them all) */
const LONG_FIELDS = new Set(['normalization', 'lossFunction', 'gradient', 'mode', 'perAttack', 'sweep', 'epsilon', 'timesteps']);
const isEmpty = (v: unknown) => (Array.isArray(v) ? v.length === 0 : v !== null && typeof v === 'object' && Object.keys(v).length === 0);
const list = (xs: number[], f: (x: number) => string) => [...new Set(xs)].map(f).join(',');

/**
 * One line stating how an eval file's numbers were measured: at one point (ε, T) when `at` is
 * given, else over every evaluated ε and T.
 */
export function protocolLine(e: LabeledEval, at?: SweepEntry): string {
  const where = at
    ? `ε ${formatEpsilon(at.epsilon)}, T ${at.timesteps}`
    : `ε ${list(e.points.map((p) => p.epsilon), formatEpsilon)}, T ${list(e.points.map((p) => p.timesteps), String)}`;
  const rest = Object.entries(e.data.protocol).filter(([k, v]) => !LONG_FIELDS.has(k) && !isEmpty(v)).map(([k, v]) => `${k} ${compact(v)}`);
  const d = e.data.dataset;
  return `${e.label}: ${d.name} ${d.split} n=${e.data.n}; ${where}; ${rest.join(', ')}${e.data.bbModel ? `; black-box source ${e.data.bbModel.path}` : ''}`;
}

/**
 * A charted section: when `has`, the intro, the protocol lines and the chart; otherwise the one
 * line saying what is missing (and which command writes it).
 */
async function chartSection(id: string, title: string, c: { has: boolean; intro: string[]; spec: () => TopLevelSpec; missing: string }): Promise<Section> {
  if (!c.has) return { id, title, paragraphs: [c.missing], tables: [] };
  const spec = c.spec();
  return { id, title, paragraphs: c.intro, tables: [], chart: { svg: await renderSvg(spec), spec } };
}

export async function buildSections(inputs: ReportInputs): Promise<Section[]> {
  const { evals, runs } = inputs;
  const acc = accuracyRows(evals);
  const primary = primaryRows(evals, acc);
  const lat = latencyRows(acc);
  const latencyModels = new Set(lat.flatMap((r) => r.models));
  const joinedLat = lat.filter((r) => r.joined);
  const spikes = spikeRows(evals);
  const energy = energyRows(evals);
  const epochs = epochRows(runs);
  const protocols = evals.map((e) => protocolLine(e));
  const atHeadline = evals.map((e) => protocolLine(e, headline(e)));

  const models: Section = {
    id: 'models', title: 'Models and protocol', tables: [modelTable(inputs), ...(evals.length ? [protocolTable(evals)] : [])],
    paragraphs: ['Every model shown, with the sha256 of the file that was evaluated or trained, and the full protocol of each evaluation.'],
  };
  const eps = await chartSection('accuracy-epsilon', 'Accuracy vs ε', {
    has: acc.some((r) => r.setting !== 'clean'), spec: () => accuracyVsEpsilon(acc),
    intro: ['Top-1 accuracy under each attack as the L∞ budget grows, one line per model; ε = 0 is the clean accuracy.', ...protocols],
    missing: 'No input holds an attacked accuracy (hire-snn eval --attacks clean,fgsm,pgd).',
  });
  const latency = await chartSection('accuracy-timesteps', 'Accuracy vs T', {
    has: lat.length > 0, spec: () => accuracyVsTimesteps(lat),
    intro: [
      'Top-1 accuracy vs the number of time steps (the latency axis). A file that evaluates one model at several T is one line per model;'
      + ' models evaluated at one T each (a latency sweep fine-tunes one per T) are one line per training method, the mean over the models at each T'
      + (lat.some((r) => r.models.length > 1) ? ` (up to ${Math.max(...lat.map((r) => r.models.length))} models per point here).` : '.'),
      ...evals.filter((e) => latencyModels.has(e.label)).map((e) => protocolLine(e)),
    ],
    missing: 'No input evaluates a model at several T, and no two inputs of one training method differ in T (hire-snn eval --timesteps 4,8,16 writes such a sweep).',
  });
  const robustness = await chartSection('robustness', 'Per-attack and worst-case accuracy', {
    has: primary.length > 0, spec: () => robustnessBars(primary),
    intro: ['Each setting at the largest ε evaluated (at the first T) of each model; the worst case counts a sample as robust only if every attack failed on it.', ...atHeadline],
    missing: 'No eval results among the inputs.',
  });
  const withDiagnostics = evals.filter((e) => headline(e).diagnostics.length);
  if (withDiagnostics.length) {
    robustness.paragraphs.push('Gradient-masking diagnostics: a triggered check means the white-box numbers may overstate robustness; its evidence says why.');
    robustness.tables.push(...withDiagnostics.map(diagnosticsTable));
  } else if (evals.length) robustness.paragraphs.push('The eval results hold no gradient-masking diagnostics.');
  const spikeSection = await chartSection('spikes', 'Spikes per layer', {
    has: spikes.length > 0, spec: () => spikesPerLayer(spikes),
    intro: ['Spikes per neuron per image summed over all T steps, per spiking layer, on clean inputs and on each attack\'s adversarial inputs (at the largest ε).', ...atHeadline],
    missing: 'No input holds spike counts.',
  });
  const energySection = await chartSection('energy', 'Energy per image', {
    has: energy.length > 0, spec: () => energyPerLayer(energy), intro: energyLines(evals), missing: 'No input holds an energy estimate.',
  });
  const training = await chartSection('training', 'Training curves', {
    has: epochs.length > 0, spec: () => trainingCurves(epochs),
    intro: ['Per epoch: training loss and accuracy (solid) and test loss and accuracy (dashed), mean firing rate per neuron per step, learning rate. Epoch 0 is the converted model before fine-tuning.'],
    missing: runs.length ? 'The runs have no finished epoch yet.' : 'No training run folder among the inputs.',
  });
  const tables: Section = {
    id: 'tables', title: 'Tables', paragraphs: ['The numbers above, for copying (each table also as Markdown).'],
    tables: [
      ...(acc.length ? [accuracyTable(acc)] : []), ...(joinedLat.length ? [latencyTable(joinedLat)] : []), ...(spikes.length ? [spikeTable(spikes)] : []),
      ...(energy.length ? [energyTable(energy)] : []), ...(epochs.length ? [epochTable(epochs)] : []),
    ],
  };
  return [models, eps, latency, robustness, spikeSection, energySection, training, tables];
}

/** per model: ANN and SNN totals, their ratio and the constants; then the convention */
function energyLines(evals: readonly LabeledEval[]): string[] {
  const withEnergy = evals.filter((e) => headline(e).energy);
  const uj = (v: number | null) => (v === null ? 'n/a' : (v / 1e6).toFixed(3));
  const lines = withEnergy.map((e) => {
    const at = headline(e);
    const x = at.energy!;
    return `${e.label}: ANN ${uj(x.annPj)} µJ, SNN ${uj(x.snnPj)} µJ per image (ANN/SNN ${x.ratio === null ? 'n/a' : x.ratio.toFixed(2)}×; MAC ${x.constants.macPj} pJ, AC ${x.constants.acPj} pJ; clean-input spikes at T ${at.timesteps}).`;
  });
  const convention = withEnergy.length ? headline(withEnergy[0]).energy?.convention : undefined;
  if (typeof convention === 'string') lines.push(`Convention: ${convention}.`);
  return lines;
}

/** each eval's rows at its headline point */
function primaryRows(evals: readonly LabeledEval[], rows: readonly AccuracyRow[]): AccuracyRow[] {
  return evals.flatMap((e) => {
    const at = headline(e);
    return rows.filter((r) => r.model === e.label && r.epsilon === at.epsilon && r.timesteps === at.timesteps);
  });
}
