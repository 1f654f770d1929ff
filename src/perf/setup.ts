/**
 * The benchmark model: a spiking VGG of the seed layout (or a DIET-SNN ResNet: resnet12/20/34) with He-initialised random weights
 * (seeded) or a trained checkpoint's, thresholds from the seed's percentile search on real CIFAR-10 training images
 * (so spike rates are realistic), and a fixed input batch. It can be exported to a directory
 * (model.safetensors, our checkpoint; input.safetensors, the batch) that the PyTorch side
 * (bench/pytorch_bench.py) reads, and loaded back, so both sides run the same weights,
 * thresholds and images.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../data/load.js';
import { NORMALIZATION } from '../data/dataset.js';
import { Rng } from '../data/rng.js';
import { buildModel } from '../snn/build.js';
import type { SpikingModel } from '../snn/model.js';
import type { ModelSpec } from '../snn/spec.js';
import { parseArch, specFromArch } from '../snn/arch.js';
import { findThresholds } from '../snn/thresholds.js';
import { Tensor } from '../tensor/tensor.js';
import { z } from 'zod';
import { saveCheckpoint } from '../io/checkpoint.js';
import { loadModelFile } from '../io/load.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../io/safetensors-file.js';
import { CheckpointError } from '../io/errors.js';
import { parseOrThrow } from '../validate.js';

export interface BenchModelOptions {
  arch: string;
  classes: number;
  hidden: number[];
  timesteps: number;
  batch: number;
  seed: number;
  /** real CIFAR-10 training images for the threshold search */
  calibImages: number;
  /** threshold scaling after the search (the seed's 0.7) */
  scaling: number;
  /** dataset location (default: the usual search) */
  data?: string;
  /**
   * a trained model instead of random weights (arch, hidden and classes then come from it);
   * `searchThresholds` false keeps the thresholds it was trained with (a spiking checkpoint)
   */
  init?: { model: SpikingModel; spec: ModelSpec; searchThresholds: boolean; label: string };
}

export interface BenchSetup {
  model: SpikingModel;
  spec: ModelSpec;
  timesteps: number;
  /** the benchmark batch: [0,1] pixels [B,3,32,32] and labels (< classes) */
  x01: Float32Array;
  labels: Int32Array;
  /** how the thresholds were obtained, for the report (images 0: kept from the trained model) */
  calibration: { images: number; scaling: number; seconds: number };
  /** where the weights came from: `trained: FILE` or `random He init (seed N)` */
  weights?: string;
}

/** --arch on CIFAR-sized images; --hidden only shapes a VGG */
function benchSpec(o: Pick<BenchModelOptions, 'arch' | 'classes' | 'hidden'>): ModelSpec {
  const req = parseArch(o.arch, { auto: false });
  return specFromArch(req, { labels: o.classes, inChannels: 3, imageSize: 32, hidden: req.kind === 'vgg' ? o.hidden : undefined });
}

function images01(images: Uint8Array, start: number, count: number, size: number): Float32Array {
  const out = new Float32Array(count * size);
  for (let i = 0; i < out.length; i++) out[i] = images[start * size + i] / 255;
  return out;
}

/** builds the model, runs the threshold search on real images, draws the benchmark batch */
export async function createBenchSetup(o: BenchModelOptions): Promise<BenchSetup> {
  const spec = o.init?.spec ?? benchSpec(o);
  if (spec.inChannels !== 3 || spec.imageSize !== 32) {
    throw new Error(`the benchmark runs on CIFAR-10 images (3x32x32); ${o.init?.label ?? 'the model'} takes ${spec.inChannels}x${spec.imageSize}x${spec.imageSize}`);
  }
  const model = o.init?.model ?? buildModel(spec, NORMALIZATION.cifar10, new Rng(o.seed));
  const classes = spec.labels;
  const ds = await loadDataset('cifar10', 'train', { data: o.data, limit: o.calibImages + o.batch });
  const size = 3 * 32 * 32;
  const calibCount = Math.min(o.calibImages, ds.count - o.batch);
  if (calibCount < 1) throw new Error(`need more than ${o.batch} CIFAR-10 training images, found ${ds.count}`);
  const t0 = performance.now();
  const search = o.init?.searchThresholds ?? true;
  if (search) {
    // the search in chunks would change the percentile; one pass over the calibration set, as the seed
    const calib = new Tensor(images01(ds.images, 0, calibCount, size), [calibCount, 3, 32, 32]);
    findThresholds(model, calib, { timesteps: o.timesteps, scaling: o.scaling });
  }
  const seconds = (performance.now() - t0) / 1000;
  // the benchmark batch: images after the calibration set; labels spread over all classes
  const x01 = images01(ds.images, calibCount, o.batch, size);
  const rng = new Rng(o.seed + 1);
  const labels = new Int32Array(o.batch);
  for (let i = 0; i < o.batch; i++) labels[i] = classes === 10 ? ds.labels[calibCount + i] : Math.floor(rng.uniform() * classes);
  return {
    model, spec, timesteps: o.timesteps, x01, labels, weights: o.init ? `trained: ${o.init.label}` : `random He init (seed ${o.seed})`,
    calibration: search ? { images: calibCount, scaling: o.scaling, seconds } : { images: 0, scaling: 1, seconds: 0 },
  };
}

/** the benchmark's own description, in the metadata of input.safetensors */
const BENCH_META_KEY = 'hire-snn-bench';
const BenchMetaSchema = z.object({
  format: z.literal('hire-snn-bench/2'),
  timesteps: z.number().int().min(1),
  calibration: z.object({ images: z.number().int().min(0), scaling: z.number().positive(), seconds: z.number().min(0) }),
  weights: z.string().optional(),
});
export const BENCH_MODEL_FILE = 'model.safetensors';
export const BENCH_INPUT_FILE = 'input.safetensors';

/** writes model.safetensors (a hire-snn checkpoint: weights, thresholds, spec) and input.safetensors (the batch) into dir */
export function exportBenchSetup(s: BenchSetup, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  saveCheckpoint(path.join(dir, BENCH_MODEL_FILE), s.model, {
    spec: s.spec, timesteps: s.timesteps, normalization: s.model.normalization, dataset: 'cifar10',
    // searched thresholds make it a converted SNN; otherwise a trained model's thresholds were kept
    method: s.calibration.images > 0 ? 'converted' : 'imported',
  });
  const meta: z.infer<typeof BenchMetaSchema> = { format: 'hire-snn-bench/2', timesteps: s.timesteps, calibration: s.calibration, weights: s.weights };
  writeSafetensorsFile(path.join(dir, BENCH_INPUT_FILE), [
    ['x01', { dtype: 'F32', shape: [s.labels.length, 3, 32, 32], data: s.x01 }],
    ['labels', { dtype: 'I32', shape: [s.labels.length], data: s.labels }],
  ], { [BENCH_META_KEY]: JSON.stringify(meta) });
}

/** reads a directory written by exportBenchSetup */
export function loadBenchSetup(dir: string): BenchSetup {
  const loaded = loadModelFile(path.join(dir, BENCH_MODEL_FILE), { normalization: NORMALIZATION.cifar10 });
  const inputFile = path.join(dir, BENCH_INPUT_FILE);
  const input = readSafetensorsFile(inputFile);
  const bad = (line: string): CheckpointError => new CheckpointError(`${inputFile}: not a hire-snn benchmark batch: ${line}`);
  let raw: unknown;
  try {
    raw = JSON.parse(input.metadata?.[BENCH_META_KEY] ?? 'null');
  } catch {
    throw bad(`its ${BENCH_META_KEY} metadata is not JSON`);
  }
  const meta = parseOrThrow(BenchMetaSchema, raw, bad);
  const x01 = input.tensors.get('x01');
  const labels = input.tensors.get('labels');
  if (x01?.dtype !== 'F32' || labels?.dtype !== 'I32' || x01.shape.join() !== `${labels.shape[0]},3,32,32`) {
    throw bad('needs x01 (F32, [B,3,32,32]) and labels (I32, [B])');
  }
  return {
    model: loaded.model, spec: loaded.spec, timesteps: meta.timesteps, x01: x01.data as Float32Array,
    labels: labels.data as Int32Array, calibration: meta.calibration, weights: meta.weights,
  };
}
