/**
 * The benchmark model: a spiking VGG of the seed layout (or a DIET-SNN ResNet: resnet12/20/34) with He-initialised random weights
 * (seeded) or a trained checkpoint's, thresholds from the seed's percentile search on real CIFAR-10 training images
 * (so spike rates are realistic), and a fixed input batch. It can be exported to a directory
 * (raw little-endian float32 + a JSON manifest) that the PyTorch side (bench/pytorch_bench.py)
 * reads, and loaded back, so both sides run the same weights, thresholds and images.
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

interface Manifest {
  format: 'hire-snn-bench-1';
  spec: ModelSpec;
  timesteps: number;
  normalization: { mean: readonly number[]; std: readonly number[] };
  calibration: BenchSetup['calibration'];
  weights?: string;
  /** parameters in state_dict order; offsets/lengths in float32 elements of weights.bin */
  params: { key: string; shape: readonly number[]; offset: number }[];
  input: { shape: number[]; labels: number[] };
}

/** writes model.json, weights.bin and input.bin into dir */
export function exportBenchSetup(s: BenchSetup, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const params: Manifest['params'] = [];
  let offset = 0;
  for (const [key, t] of s.model.params) {
    params.push({ key, shape: t.shape, offset });
    offset += t.size;
  }
  const all = new Float32Array(offset);
  for (const p of params) all.set(s.model.params.get(p.key)!.data, p.offset);
  const manifest: Manifest = {
    format: 'hire-snn-bench-1', spec: s.spec, timesteps: s.timesteps, normalization: s.model.normalization,
    calibration: s.calibration, weights: s.weights, params, input: { shape: [s.labels.length, 3, 32, 32], labels: [...s.labels] },
  };
  fs.writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(all.buffer));
  fs.writeFileSync(path.join(dir, 'input.bin'), new Uint8Array(s.x01.buffer, s.x01.byteOffset, s.x01.byteLength));
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(manifest, null, 1));
}

function readF32(file: string): Float32Array {
  const b = fs.readFileSync(file);
  const out = new Float32Array(b.length / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** reads a directory written by exportBenchSetup */
export function loadBenchSetup(dir: string): BenchSetup {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as Manifest;
  if (m.format !== 'hire-snn-bench-1') throw new Error(`${dir}/model.json is not a hire-snn benchmark model`);
  const model = buildModel(m.spec, m.normalization);
  const all = readF32(path.join(dir, 'weights.bin'));
  for (const p of m.params) {
    const t = model.params.get(p.key);
    if (!t) throw new Error(`${dir}: unknown parameter ${p.key}`);
    t.data.set(all.subarray(p.offset, p.offset + t.size));
  }
  return {
    model, spec: m.spec, timesteps: m.timesteps, x01: readF32(path.join(dir, 'input.bin')),
    labels: Int32Array.from(m.input.labels), calibration: m.calibration, weights: m.weights,
  };
}
