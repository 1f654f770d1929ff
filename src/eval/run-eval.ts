/**
 * The `eval` job: resolve and check every input before any work (files, architecture,
 * classes vs dataset, black-box model of the same kind), then evaluate and write results.
 */
import { performance } from 'node:perf_hooks';
import { loadModelFile, parseArch, type LoadedModel } from '../io/load-model.js';
import { writeSafetensorsFile } from '../io/safetensors.js';
import { atomicWriteChunks } from '../io/atomic-write.js';
import { loadDataset } from '../data/load.js';
import { NORMALIZATION, type DatasetName } from '../data/dataset.js';
import { BatchLoader } from '../data/loader.js';
import { evaluate, type AttackName, type EvalResult, type Protocol, type EvalBatch } from './evaluate.js';
import type { EnergyConstants } from './energy.js';
import type { ProgressReporter } from '../cli/progress.js';
import { describeSpec } from '../snn/describe.js';

export interface EvalCommandOptions {
  model: string;
  bbModel?: string;
  arch: string;
  hidden?: number[];
  dataset?: DatasetName;
  data?: string;
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
  dataset: { name: DatasetName; split: 'test'; n: number };
  protocol: Protocol & { lossFunction: string; normalization: { mean: readonly number[]; std: readonly number[] }; mode: string; gradient: string };
  elapsedSeconds: number;
}

export class EvalInputError extends Error {}

function datasetFor(loaded: LoadedModel, asked: DatasetName | undefined): DatasetName {
  if (asked) return asked;
  const recorded = loaded.meta?.dataset;
  if (recorded && recorded in NORMALIZATION) return recorded as DatasetName;
  return loaded.spec.labels === 100 ? 'cifar100' : 'cifar10';
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
  // the dataset decides normalisation for .pt files, so peek at what a checkpoint records first
  const provisional = opts.dataset ?? 'cifar10';
  let model = loadModelFile(opts.model, { arch, hidden: opts.hidden, normalization: NORMALIZATION[provisional] });
  const dataset = datasetFor(model, opts.dataset);
  if (dataset !== provisional && model.format !== 'hire-snn') {
    model = loadModelFile(opts.model, { arch, hidden: opts.hidden, normalization: NORMALIZATION[dataset] });
  }
  const bb = opts.bbModel ? loadModelFile(opts.bbModel, { arch, hidden: opts.hidden, normalization: NORMALIZATION[dataset] }) : undefined;
  if (bb && describeSpec(bb.spec) !== describeSpec(model.spec)) {
    throw new EvalInputError(`--bb-model ${opts.bbModel} is ${describeSpec(bb.spec)} but --model is ${describeSpec(model.spec)}: black-box evaluation needs a second model of the same architecture`);
  }
  const timesteps = opts.timesteps ?? model.meta?.timesteps ?? 8;
  const data = await loadDataset(dataset, 'test', { data: opts.data, limit: opts.limit });
  if (data.numClasses !== model.spec.labels) {
    throw new EvalInputError(`${opts.model} has ${model.spec.labels} classes but ${dataset} has ${data.numClasses}: pass the matching --dataset`);
  }
  if (data.channels !== model.spec.inChannels || data.height !== model.spec.imageSize) {
    throw new EvalInputError(`${opts.model} expects ${model.spec.inChannels}x${model.spec.imageSize}x${model.spec.imageSize} images but ${dataset} has ${data.channels}x${data.height}x${data.width}`);
  }
  const protocol: Protocol = {
    timesteps, attacks: opts.attacks, epsilon: opts.eps, pgdSteps: opts.pgdSteps,
    pgdStepSize: opts.pgdStepSize, pgdRandomStart: opts.pgdRandomStart, seed: opts.seed,
  };
  ui.log?.(`model ${model.file} (${model.format}, ${describeSpec(model.spec)}), ${dataset} test n=${data.count}, T=${timesteps}, attacks ${opts.attacks.join(',')}${bb ? `, black-box source ${bb.file}` : ''}`);
  const loader = new BatchLoader(data, { batchSize: opts.batch });
  const shape = [data.channels, data.height, data.width];
  const batches = (function* (): Generator<EvalBatch> {
    for (const b of loader) yield { x01: b.x01, shape: [b.size, ...shape], labels: b.labels };
  })();
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
    dataset: { name: dataset, split: 'test', n: result.n },
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
