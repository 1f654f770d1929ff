/**
 * The resume state of a training run, DIR/train-state.safetensors: the parameters
 * (`param/<key>`), the optimizer's buffers (`optim/<key>`), and in the metadata the config,
 * the position (the next batch to run), the running sums of the current epoch, the log, the best
 * metrics, the elapsed time. Written atomically. No generator state is needed beyond the seed:
 * shuffling, augmentation, dropout masks and Poisson spikes are all drawn from generators seeded
 * per (seed, epoch, batch), so the position alone rebuilds them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ModelSpecSchema } from '../snn/spec.js';
import { NormalizationSchema, type SpikingModel } from '../snn/model.js';
import type { Optimizer } from '../tensor/optim/optimizer.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../io/safetensors-file.js';
import type { NamedArray } from '../io/arrays.js';
import { toFloat32 } from '../io/arrays.js';
import { packageVersion } from '../package.js';
import { TrainConfigSchema } from './config.js';
import { logEntrySchema } from './log.js';
import { CheckpointError } from '../io/errors.js';
import { parseOrThrow } from '../validate.js';

export const STATE_FILE = 'train-state.safetensors';
const STATE_FORMAT = 'hire-snn-train-state';
const STATE_VERSION = 1;
const META_KEY = 'hire-snn-train-state';

const count = z.number().int().min(0);

/** the resume state's description: validated on --resume like every other file we read */
const TrainStateMetaSchema = z.object({
  format: z.literal(STATE_FORMAT),
  version: z.number().int().min(1).max(STATE_VERSION),
  packageVersion: z.string(),
  config: TrainConfigSchema,
  spec: ModelSpecSchema,
  normalization: NormalizationSchema,
  /** the --init file the run started from */
  initFrom: z.object({ file: z.string(), sha256: z.string(), method: z.string() }).optional(),
  conversion: z.object({ layers: z.array(z.object({ index: count, raw: z.number(), threshold: z.number() })), calibrationImages: count }).optional(),
  /** how many training and test images the run uses (checked on resume) */
  images: z.object({ train: count, test: count }).optional(),
  progress: z.object({
    /** the next batch to run: epoch (0-based) and batch index; batch = batches per epoch means the epoch's training is done but not yet evaluated and logged */
    epoch: count,
    batch: count,
    /** running sums of the epoch in progress (training seconds so far in this epoch) */
    sums: z.object({ lossSum: z.number(), correct: count, count, batches: count, spikes: z.array(z.number().min(0)), seconds: z.number().min(0) }),
    history: z.array(logEntrySchema),
    best: z.object({ top1: z.number(), epoch: count }).nullable(),
    /** training time over all sessions */
    elapsedSeconds: z.number().min(0),
    finished: z.boolean(),
  }),
  optimizerStep: count,
  savedAt: z.string(),
});

export type TrainStateMeta = z.infer<typeof TrainStateMetaSchema>;
export type TrainProgress = TrainStateMeta['progress'];
export type EpochSums = TrainProgress['sums'];

export function emptySums(layers: number): EpochSums {
  return { lossSum: 0, correct: 0, count: 0, batches: 0, spikes: new Array<number>(layers).fill(0), seconds: 0 };
}

export function statePath(dir: string): string {
  return path.join(dir, STATE_FILE);
}

export function hasState(dir: string): boolean {
  return fs.existsSync(statePath(dir));
}

export function saveState(dir: string, model: SpikingModel, optimizer: Optimizer, meta: Omit<TrainStateMeta, 'format' | 'version' | 'packageVersion' | 'savedAt' | 'optimizerStep'>): string {
  const opt = optimizer.stateDict();
  const full: TrainStateMeta = { format: STATE_FORMAT, version: STATE_VERSION, packageVersion: packageVersion(), ...meta, optimizerStep: opt.step, savedAt: new Date().toISOString() };
  const tensors: [string, NamedArray][] = [];
  for (const [k, p] of model.params) tensors.push([`param/${k}`, { dtype: 'F32', shape: [...p.shape], data: p.data }]);
  for (const [k, b] of opt.buffers) tensors.push([`optim/${k}`, { dtype: 'F32', shape: [b.length], data: b }]);
  const file = statePath(dir);
  writeSafetensorsFile(file, tensors, { [META_KEY]: JSON.stringify(full) });
  return file;
}

export interface LoadedState {
  meta: TrainStateMeta;
  params: Map<string, { shape: number[]; data: Float32Array }>;
  optimizer: { step: number; buffers: Map<string, Float32Array> };
}

export function loadState(dir: string): LoadedState {
  const file = statePath(dir);
  const { tensors, metadata } = readSafetensorsFile(file);
  const text = metadata[META_KEY];
  if (!text) throw new CheckpointError(`${file}: not a hire-snn training state`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CheckpointError(`${file}: the training state's metadata is not valid JSON`);
  }
  const meta = parseOrThrow(TrainStateMetaSchema, raw, (line) => new CheckpointError(`${file}: invalid training state: ${line}`));
  const params = new Map<string, { shape: number[]; data: Float32Array }>();
  const buffers = new Map<string, Float32Array>();
  for (const [k, v] of tensors) {
    // copies: the file's buffer is not kept alive, and the optimizer mutates its buffers
    if (k.startsWith('param/')) params.set(k.slice(6), { shape: [...v.shape], data: Float32Array.from(toFloat32(v)) });
    else if (k.startsWith('optim/')) buffers.set(k.slice(6), Float32Array.from(toFloat32(v)));
  }
  return { meta, params, optimizer: { step: meta.optimizerStep, buffers } };
}
