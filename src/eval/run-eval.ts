/**
 * The `eval` job: resolve and check every input before any work (files, architecture,
 * classes vs dataset, black-box model of the same kind), then evaluate and write results.
 */
import { performance } from 'node:perf_hooks';
import { modelFromWeights, resolveSpec, type LoadedModel, type LoadModelOptions } from '../io/load-model.js';
import { loadModelFile, readWeightsFile } from '../io/load.js';
import { parseArch } from '../snn/arch.js';
import { specEquals, type ModelSpec } from '../snn/spec.js';
import type { CheckpointMeta } from '../io/checkpoint-meta.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../io/safetensors.js';
import { toFloat32 } from '../io/arrays.js';
import { atomicWriteChunks } from '../io/atomic-write.js';
import { loadDataset } from '../data/load.js';
import { NORMALIZATION, type DatasetName } from '../data/dataset.js';
import { BatchLoader } from '../data/loader.js';
import { evaluate, type AttackName, type EvalResult, type Protocol, type EvalBatch } from './evaluate.js';
import type { EnergyConstants } from './energy.js';
import type { ProgressReporter } from '../cli/progress.js';
import { describeSpec, specDetails } from '../snn/describe.js';

export interface EvalCommandOptions {
  model: string;
  bbModel?: string;
  arch: string;
  hidden?: number[];
  dataset?: DatasetName;
  data?: string;
  /** a safetensors file with x01 [N,C,H,W] in [0,1] and labels [N], instead of a dataset's test split */
  inputs?: string;
  timesteps?: number;
  attacks: AttackName[];
  eps: number;
  pgdSteps: number;
  pgdStepSize: number;
  pgdRandomStart: boolean;
  batch: number;
  limit?: number;
  seed: number;
  json?: string;
  saveOutputs?: string;
  energy: EnergyConstants;
}

export interface EvalReport extends EvalResult {
  model: { path: string; sha256: string; format: string; architecture: string; method: string };
  bbModel?: { path: string; sha256: string; format: string; architecture: string; method: string };
  dataset: { name: DatasetName; split: 'test' | 'inputs'; n: number; inputs?: string };
  protocol: Protocol & { lossFunction: string; normalization: { mean: readonly number[]; std: readonly number[] }; mode: string; gradient: string };
  elapsedSeconds: number;
}

export class EvalInputError extends Error {}

function datasetFor(spec: ModelSpec, meta: CheckpointMeta | undefined, asked: DatasetName | undefined): DatasetName {
  if (asked) return asked;
  const recorded = meta?.dataset;
  if (recorded && recorded in NORMALIZATION) return recorded as DatasetName;
  return spec.labels === 100 ? 'cifar100' : 'cifar10';
}

function identity(l: LoadedModel) {
  return { path: l.file, sha256: l.sha256, format: l.format, architecture: describeSpec(l.spec), method: l.method };
}

export async function runEvaluation(
  opts: EvalCommandOptions,
  ui: { progress?: (total: number) => ProgressReporter; log?: (line: string) => void } = {},
): Promise<EvalReport> {
  const started = performance.now();
  const arch = parseArch(opts.arch);
  // the dataset decides the normalisation of a .pt file: the architecture first, then the model
  const weights = readWeightsFile(opts.model);
  const resolved = resolveSpec(weights, { arch, hidden: opts.hidden });
  const dataset = datasetFor(resolved.spec, weights.checkpoint, opts.dataset);
  const model = modelFromWeights(weights, { arch, hidden: opts.hidden, normalization: NORMALIZATION[dataset] }, resolved);
  const bb = opts.bbModel ? loadBlackBox(opts.bbModel, { arch, hidden: opts.hidden, normalization: NORMALIZATION[dataset] }) : undefined;
  if (bb && !specEquals(bb.spec, model.spec)) {
    throw new EvalInputError(`--bb-model ${opts.bbModel} is ${specDetails(bb.spec)} but --model is ${specDetails(model.spec)}: black-box evaluation needs a second model of the same architecture`);
  }
  const timesteps = opts.timesteps ?? model.meta?.timesteps ?? 8;
  const source = opts.inputs ? readInputs(opts.inputs, opts.limit) : await datasetSource(dataset, opts);
  if (source.classes !== undefined && source.classes !== model.spec.labels) {
    throw new EvalInputError(`${opts.model} has ${model.spec.labels} classes but ${source.what} has ${source.classes}: pass the matching --dataset`);
  }
  if (source.maxLabel >= model.spec.labels) throw new EvalInputError(`${source.what} has label ${source.maxLabel} but ${opts.model} has ${model.spec.labels} classes`);
  const [c, h, w] = source.imageShape;
  if (c !== model.spec.inChannels || h !== model.spec.imageSize || w !== model.spec.imageSize) {
    throw new EvalInputError(`${opts.model} expects ${model.spec.inChannels}x${model.spec.imageSize}x${model.spec.imageSize} images but ${source.what} has ${c}x${h}x${w}`);
  }
  const protocol: Protocol = {
    timesteps, attacks: opts.attacks, epsilon: opts.eps, pgdSteps: opts.pgdSteps,
    pgdStepSize: opts.pgdStepSize, pgdRandomStart: opts.pgdRandomStart, seed: opts.seed,
  };
  ui.log?.(`model ${model.file} (${model.format}, ${describeSpec(model.spec)}), ${source.what} n=${source.count}, T=${timesteps}, attacks ${opts.attacks.join(',')}${bb ? `, black-box source ${bb.file}` : ''}`);
  const batches = source.batches(opts.batch);
  const data = { count: source.count };
  const progress = ui.progress?.(data.count);
  const result = evaluate({
    model: model.model, bbModel: bb?.model, batches, total: data.count, protocol, energy: opts.energy,
    keepLogits: opts.saveOutputs !== undefined,
    onProgress: (p) => progress?.update(p.done, Object.entries(p.running).map(([k, v]) => `${k} ${v!.toFixed(1)}%`).join(' ')),
  });
  progress?.stop();
  const report: EvalReport = {
    model: identity(model),
    ...(bb ? { bbModel: identity(bb) } : {}),
    dataset: { name: dataset, split: opts.inputs ? 'inputs' : 'test', n: result.n, ...(opts.inputs ? { inputs: opts.inputs } : {}) },
    protocol: {
      ...protocol,
      lossFunction: 'mean cross-entropy of the output summed over T',
      normalization: model.model.normalization,
      mode: 'eval (no dropout)',
      gradient: 'BPTT over all T steps through the piecewise-linear surrogate, in [0,1] pixel space through the normalisation',
    },
    ...result,
    elapsedSeconds: (performance.now() - started) / 1000,
  };
  if (opts.saveOutputs) {
    const tensors: [string, { dtype: 'F32' | 'I64'; shape: number[]; data: Float32Array | BigInt64Array }][] = [
      ['labels', { dtype: 'I64', shape: [result.n], data: BigInt64Array.from(Array.from(result.labels, (v) => BigInt(v))) }],
    ];
    for (const [k, v] of Object.entries(result.logits)) tensors.push([`logits.${k}`, { dtype: 'F32', shape: [result.n, model.spec.labels], data: v! }]);
    writeSafetensorsFile(opts.saveOutputs, tensors);
  }
  if (opts.json) {
    const { logits: _logits, labels: _labels, ...rest } = report;
    atomicWriteChunks(opts.json, [Buffer.from(JSON.stringify(rest, null, 2) + '\n')]);
  }
  return report;
}

interface EvalSource {
  what: string;
  count: number;
  /** class count of a dataset (undefined for bare tensors) */
  classes?: number;
  maxLabel: number;
  imageShape: [number, number, number];
  batches(size: number): Iterable<EvalBatch>;
}

async function datasetSource(name: DatasetName, opts: EvalCommandOptions): Promise<EvalSource> {
  const data = await loadDataset(name, 'test', { data: opts.data, limit: opts.limit });
  const shape: [number, number, number] = [data.channels, data.height, data.width];
  return {
    what: `${name} test`,
    count: data.count,
    classes: data.numClasses,
    maxLabel: data.numClasses - 1,
    imageShape: shape,
    *batches(size: number) {
      for (const b of new BatchLoader(data, { batchSize: size })) yield { x01: b.x01, shape: [b.size, ...shape], labels: b.labels };
    },
  };
}

/** images given as tensors (e.g. a fixture's case.safetensors): x01 [N,C,H,W] float, labels [N] */
export function readInputs(file: string, limit?: number): EvalSource {
  const { tensors } = readSafetensorsFile(file);
  const x = tensors.get('x01');
  const l = tensors.get('labels');
  if (!x || !l) throw new EvalInputError(`--inputs ${file}: needs tensors "x01" [N,C,H,W] and "labels" [N]`);
  if (x.shape.length !== 4 || l.shape.length !== 1 || l.shape[0] !== x.shape[0]) {
    throw new EvalInputError(`--inputs ${file}: x01 [${x.shape.join(',')}] and labels [${l.shape.join(',')}] do not fit`);
  }
  const pixels = toFloat32(x);
  if (pixels.some((v) => !(v >= 0 && v <= 1))) throw new EvalInputError(`--inputs ${file}: x01 must hold pixels in [0,1]`);
  const labels = Int32Array.from(Array.from(l.data as ArrayLike<number | bigint>, (v) => Number(v)));
  const n = Math.min(x.shape[0], limit ?? Infinity);
  const [, c, h, w] = x.shape;
  const per = c * h * w;
  return {
    what: `inputs ${file}`,
    count: n,
    maxLabel: Math.max(...labels),
    imageShape: [c, h, w],
    *batches(size: number) {
      for (let s = 0; s < n; s += size) {
        const e = Math.min(n, s + size);
        yield { x01: pixels.slice(s * per, e * per), shape: [e - s, c, h, w], labels: labels.slice(s, e) };
      }
    },
  };
}

/** the black-box source model; its load errors say which of the two files is wrong */
function loadBlackBox(file: string, opts: LoadModelOptions): LoadedModel {
  try {
    return loadModelFile(file, opts);
  } catch (err) {
    throw new EvalInputError(`--bb-model: ${(err as Error).message}`);
  }
}
