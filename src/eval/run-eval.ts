/**
 * The `eval` job: validate the options (src/eval/options.ts), check every output path and
 * every input before any work (files, architecture, classes vs dataset, black-box model of
 * the same kind, attacks vs model), evaluate, hand the report over (the CLI prints its table),
 * and only then write files, so a failed write never loses a finished evaluation.
 */
import { performance } from 'node:perf_hooks';
import { modelFromWeights, resolveSpec, type LoadedModel, type LoadModelOptions } from '../io/load-model.js';
import { loadModelFile, readWeightsFile } from '../io/load.js';
import { parseArch } from '../snn/arch.js';
import { specEquals, type ModelSpec } from '../snn/spec.js';
import type { CheckpointMeta } from '../io/checkpoint-meta.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../io/safetensors-file.js';
import { toFloat32 } from '../io/arrays.js';
import { atomicWriteChunks } from '../io/atomic-write.js';
import { checkOutputFile } from '../io/output-path.js';
import { loadDataset } from '../data/load.js';
import { NORMALIZATION, type DatasetName } from '../data/dataset.js';
import { bytesTo01 } from '../data/augment.js';
import { describeSpec, specDetails } from '../snn/describe.js';
import { evaluate } from './evaluate.js';
import { parseEvalOptions, type EvalOptions, type EvalOptionsInput } from './options.js';
import { planEvaluation, protocolOf, EvalInputError } from './protocol.js';
import { EVAL_FORMAT, type EvalResultJson } from './result-schema.js';
import type { EvalSet } from './eval-set.js';
import type { StartProgress } from '../progress.js';
import { describeTraining, timestepWarning } from '../train/trained-as.js';

export { EvalInputError };

/** the JSON report plus, for --save-outputs and library callers, per-sample logits of the first (ε, T) */
export interface EvalReport extends EvalResultJson {
  logits: Record<string, Float32Array>;
  labels: Int32Array;
}

export interface EvalUi {
  progress?: StartProgress;
  log?: (line: string) => void;
  /** called with the finished report before any file is written */
  report?: (report: EvalReport) => void;
  /** option key -> how the caller names it in errors (the CLI: its flag) */
  optionName?: (key: string) => string;
}

/** the dataset of a model: the one asked for, else the one its checkpoint records, else by class count */
export function datasetFor(spec: ModelSpec, meta: CheckpointMeta | undefined, asked: DatasetName | undefined): DatasetName {
  if (asked) return asked;
  const recorded = meta?.dataset;
  if (recorded && recorded in NORMALIZATION) return recorded as DatasetName;
  return spec.labels === 100 ? 'cifar100' : 'cifar10';
}

function identity(l: LoadedModel) {
  return { path: l.file, sha256: l.sha256, format: l.format, architecture: describeSpec(l.spec), method: l.method };
}

/** the encoding a checkpoint of ours was trained with */
function recordedEncoding(l: LoadedModel): 'direct' | 'poisson' | undefined {
  const config = l.meta?.training?.config as { encoding?: unknown } | undefined;
  return config?.encoding === 'poisson' || config?.encoding === 'direct' ? config.encoding : undefined;
}

export async function runEvaluation(input: EvalOptionsInput, ui: EvalUi = {}): Promise<EvalReport> {
  const started = performance.now();
  const opts = parseEvalOptions(input, ui.optionName);
  const name = ui.optionName ?? ((k: string) => k);
  if (opts.json) checkOutputFile(opts.json, name('json'));
  if (opts.saveOutputs) checkOutputFile(opts.saveOutputs, name('saveOutputs'));
  const arch = parseArch(opts.arch);
  // the dataset decides the normalisation of a .pt file: the architecture first, then the model
  const weights = readWeightsFile(opts.model);
  const resolved = resolveSpec(weights, { arch, hidden: opts.hidden });
  const dataset = datasetFor(resolved.spec, weights.checkpoint, opts.dataset as DatasetName | undefined);
  const model = modelFromWeights(weights, { arch, hidden: opts.hidden, normalization: NORMALIZATION[dataset] }, resolved);
  const bb = opts.bbModel ? loadBlackBox(opts.bbModel, { arch, hidden: opts.hidden, normalization: NORMALIZATION[dataset] }) : undefined;
  if (bb && !specEquals(bb.spec, model.spec)) {
    throw new EvalInputError(`--bb-model ${opts.bbModel} is ${specDetails(bb.spec)} but --model is ${specDetails(model.spec)}: black-box evaluation needs a second model of the same architecture`);
  }
  const plan = planEvaluation(opts, { classes: model.spec.labels, timesteps: model.meta?.timesteps, encoding: recordedEncoding(model) });
  const set = opts.inputs ? readInputs(opts.inputs, opts.limit) : await datasetSet(dataset, opts);
  checkFits(set, model, opts);
  const protocol = protocolOf(plan, model.model.normalization);
  ui.log?.(`model ${model.file} (${model.format}, ${describeSpec(model.spec)}), ${set.what} n=${set.count}, T ${plan.timesteps.join(',')}, eps ${plan.epsilons.map((e) => Number(e.toPrecision(4))).join(',')}, attacks ${protocol.attacks.join(',')}${bb ? `, black-box source ${bb.file}` : ''}`);
  const trained = describeTraining(model.meta);
  if (trained) ui.log?.(`trained: ${trained}`);
  for (const t of plan.timesteps) {
    const warning = timestepWarning(model.meta, t);
    if (warning) ui.log?.(`warning: ${warning}`);
  }
  const outcome = evaluate({
    model: model.model, bbModel: bb?.model, set, plan, energy: opts.energy,
    keepLogits: opts.saveOutputs !== undefined, progress: ui.progress,
  });
  const sweep = outcome.sweep.map(({ settings: _settings, ...entry }) => entry);
  const first = outcome.sweep[0];
  const report: EvalReport = {
    format: EVAL_FORMAT,
    model: identity(model),
    ...(bb ? { bbModel: identity(bb) } : {}),
    dataset: { name: dataset, split: opts.inputs ? 'inputs' : 'test', n: outcome.n, ...(opts.inputs ? { inputs: opts.inputs } : {}) },
    protocol,
    n: outcome.n,
    results: first.results,
    spikes: first.spikes,
    energy: first.energy,
    diagnostics: first.diagnostics,
    sweep: sweep as EvalReport['sweep'],
    elapsedSeconds: (performance.now() - started) / 1000,
    logits: Object.fromEntries(first.settings.filter((s) => s.logits).map((s) => [s.setting, s.logits!])),
    labels: outcome.labels,
  };
  ui.report?.(report);
  if (opts.saveOutputs) writeOutputs(opts.saveOutputs, report, model.spec.labels);
  if (opts.json) {
    const { logits: _logits, labels: _labels, ...json } = report;
    atomicWriteChunks(opts.json, [Buffer.from(JSON.stringify(json, null, 2) + '\n')]);
  }
  return report;
}

function writeOutputs(file: string, report: EvalReport, classes: number): void {
  const n = report.labels.length;
  const tensors: [string, { dtype: 'F32' | 'I64'; shape: number[]; data: Float32Array | BigInt64Array }][] = [
    ['labels', { dtype: 'I64', shape: [n], data: BigInt64Array.from(Array.from(report.labels, (v) => BigInt(v))) }],
  ];
  for (const [k, v] of Object.entries(report.logits)) tensors.push([`logits.${k}`, { dtype: 'F32', shape: [n, classes], data: v }]);
  writeSafetensorsFile(file, tensors);
}

function checkFits(set: EvalSet & { classes?: number; maxLabel: number }, model: LoadedModel, opts: EvalOptions): void {
  if (set.classes !== undefined && set.classes !== model.spec.labels) {
    throw new EvalInputError(`${opts.model} has ${model.spec.labels} classes but ${set.what} has ${set.classes}: pass the matching --dataset`);
  }
  if (set.maxLabel >= model.spec.labels) throw new EvalInputError(`${set.what} has label ${set.maxLabel} but ${opts.model} has ${model.spec.labels} classes`);
  const [c, h, w] = set.imageShape;
  if (c !== model.spec.inChannels || h !== model.spec.imageSize || w !== model.spec.imageSize) {
    throw new EvalInputError(`${opts.model} expects ${model.spec.inChannels}x${model.spec.imageSize}x${model.spec.imageSize} images but ${set.what} has ${c}x${h}x${w}`);
  }
}

type LoadedSet = EvalSet & { classes?: number; maxLabel: number };

async function datasetSet(name: DatasetName, opts: EvalOptions): Promise<LoadedSet> {
  const data = await loadDataset(name, 'test', { data: opts.data, limit: opts.limit });
  const x01 = new Float32Array(data.images.length);
  bytesTo01(data.images, 0, data.images.length, x01, 0);
  return {
    what: `${name} test`, count: data.count, imageShape: [data.channels, data.height, data.width],
    x01, labels: Int32Array.from(data.labels), classes: data.numClasses, maxLabel: data.numClasses - 1,
  };
}

/** images given as tensors (e.g. a fixture's case.safetensors): x01 [N,C,H,W] float, labels [N] */
export function readInputs(file: string, limit?: number): LoadedSet {
  const { tensors } = readSafetensorsFile(file);
  const x = tensors.get('x01');
  const l = tensors.get('labels');
  if (!x || !l) throw new EvalInputError(`--inputs ${file}: needs tensors "x01" [N,C,H,W] and "labels" [N]`);
  if (x.shape.length !== 4 || l.shape.length !== 1 || l.shape[0] !== x.shape[0]) {
    throw new EvalInputError(`--inputs ${file}: x01 [${x.shape.join(',')}] and labels [${l.shape.join(',')}] do not fit`);
  }
  if (x.shape[0] === 0) throw new EvalInputError(`--inputs ${file}: holds no images (x01 is [${x.shape.join(',')}])`);
  const pixels = toFloat32(x);
  if (pixels.some((v) => !(v >= 0 && v <= 1))) throw new EvalInputError(`--inputs ${file}: x01 must hold pixels in [0,1]`);
  const labels = Int32Array.from(Array.from(l.data as ArrayLike<number | bigint>, (v) => Number(v)));
  if (labels.some((v) => !(v >= 0))) throw new EvalInputError(`--inputs ${file}: labels must be class indices >= 0`);
  const n = Math.min(x.shape[0], limit ?? Infinity);
  const [, c, h, w] = x.shape;
  const per = c * h * w;
  let maxLabel = 0;
  for (let i = 0; i < n; i++) maxLabel = Math.max(maxLabel, labels[i]);
  return { what: `inputs ${file}`, count: n, imageShape: [c, h, w], x01: pixels.slice(0, n * per), labels: labels.slice(0, n), maxLabel };
}

/** the black-box source model; its load errors say which of the two files is wrong */
function loadBlackBox(file: string, opts: LoadModelOptions): LoadedModel {
  try {
    return loadModelFile(file, opts);
  } catch (err) {
    throw new EvalInputError(`--bb-model: ${(err as Error).message}`);
  }
}
