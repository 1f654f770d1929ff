/**
 * Timings of the three workloads the issue asks about, on one batch:
 * - inference: forward without the tape (eval mode);
 * - PGD step: forward + input gradient through BPTT (parameters frozen) + the signed update;
 * - training step: forward in train mode (dropout) + backward + Adam (AMSGrad) step.
 * Each is warmed up (WARMUP_RUNS), then run `reps` times; best and median seconds are reported.
 */
import { inputGradient, sign } from '../attacks/base.js';
import { getBackend } from '../kernels/index.js';
import { Rng } from '../data/rng.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import { Adam } from '../tensor/optim/adam.js';
import { Tensor, backward, noGrad } from '../tensor/tensor.js';
import { releasingBuffers } from '../tensor/buffer.js';
import type { ForwardResult } from '../snn/model.js';
import type { BenchSetup } from './setup.js';

export type Workload = 'infer' | 'pgd' | 'train';
export const WORKLOADS: readonly Workload[] = ['infer', 'pgd', 'train'];

export interface Timing {
  best: number;
  median: number;
  all: number[];
}

export interface BenchResult {
  backend: string;
  /** the ISA the kernels ran (native: avx512 | avx2 | baseline, HIRE_SNN_ISA caps it) */
  isa?: string;
  threads: number;
  batch: number;
  timesteps: number;
  inferImagesPerSec?: number;
  pgdStepImagesPerSec?: number;
  trainStepImagesPerSec?: number;
  /** median-based rates, for the noisy-machine picture */
  medianImagesPerSec: Partial<Record<Workload, number>>;
  seconds: Partial<Record<Workload, Timing>>;
  peakRssMiB: number;
  /** per spiking layer: spikes / (neurons * steps * batch), in layer order */
  spikeRates: { layer: string; rate: number }[];
  /** sum of spikes / neuron-steps over all spiking layers */
  meanSpikeRate: number;
  /** eval-mode logits of the batch [B * classes], to check against the PyTorch side */
  logits: number[];
}

/**
 * untimed runs before the timed ones: primitive creation and the heap's growth. Our training
 * step settles by its fourth run (2.38, 2.15, then 1.96-1.99 s: the first steps grow the heap
 * while the previous tape is collected); PyTorch's are flat from the second. Both sides warm up
 * the same (bench/pytorch_bench.py), so the numbers are steady-state ones.
 */
export const WARMUP_RUNS = 3;

function timeIt(fn: () => void, reps: number): Timing {
  for (let w = 0; w < WARMUP_RUNS; w++) fn();
  const all: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    all.push((performance.now() - t0) / 1000);
  }
  const sorted = [...all].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  // the mean of the middle two for an even count, as Python's statistics.median on the PyTorch side
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { best: sorted[0], median, all };
}

export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** the eval-mode forward, its intermediate buffers recycled for the next one */
function inferLogits(s: BenchSetup, x: Tensor): ForwardResult {
  return releasingBuffers(() => noGrad(() => s.model.forward(x, { timesteps: s.timesteps })), (r) => [r.logits.data]);
}

export function spikeRates(s: BenchSetup): { rates: BenchResult['spikeRates']; mean: number; logits: number[] } {
  const batch = s.labels.length;
  const x = new Tensor(s.x01, [batch, 3, 32, 32]);
  const { spikeCounts, logits } = inferLogits(s, x);
  const layers = s.model.spikingLayers();
  let spikes = 0;
  let slots = 0;
  const rates = layers.map((l, i) => {
    const n = l.neurons * s.timesteps * batch;
    spikes += spikeCounts[i];
    slots += n;
    return { layer: l.name, rate: spikeCounts[i] / n };
  });
  return { rates, mean: spikes / slots, logits: [...logits.data] };
}

export function runBench(s: BenchSetup, workloads: readonly Workload[], reps: number): BenchResult {
  const batch = s.labels.length;
  const shape = [batch, 3, 32, 32];
  const { model, timesteps } = s;
  const seconds: BenchResult['seconds'] = {};
  const { rates, mean, logits } = spikeRates(s);
  if (workloads.includes('infer')) {
    const x = new Tensor(s.x01, shape);
    seconds.infer = timeIt(() => void inferLogits(s, x), reps);
  }
  if (workloads.includes('pgd')) {
    const adv = Float32Array.from(s.x01);
    const a = 2 / 255;
    seconds.pgd = timeIt(() => {
      const { grad } = inputGradient({ model, timesteps }, adv, { x01: adv, shape, labels: s.labels });
      for (let i = 0; i < adv.length; i++) adv[i] = Math.min(1, Math.max(0, adv[i] + a * sign(grad[i])));
    }, reps);
  }
  if (workloads.includes('train')) {
    const opt = new Adam(model.params, { lr: 1e-4, amsgrad: true });
    const rng = new Rng(7);
    const x = new Tensor(s.x01, shape);
    seconds.train = timeIt(() => {
      opt.zeroGrad();
      const { logits } = model.forward(x, { timesteps, train: true, rng });
      const loss = crossEntropy(logits, s.labels);
      backward(loss, undefined, { releaseTape: true });
      opt.step();
    }, reps);
    // runs last: it changes the weights (a copy to restore them would count in the peak RSS)
    opt.zeroGrad();
  }
  const rate = (w: Workload, pick: 'best' | 'median'): number | undefined => {
    const t = seconds[w];
    return t ? batch / t[pick] : undefined;
  };
  const info = getBackend().info();
  return {
    backend: info.name,
    isa: info.details.isa,
    threads: info.threads,
    batch,
    timesteps,
    inferImagesPerSec: rate('infer', 'best'),
    pgdStepImagesPerSec: rate('pgd', 'best'),
    trainStepImagesPerSec: rate('train', 'best'),
    medianImagesPerSec: Object.fromEntries(WORKLOADS.filter((w) => seconds[w]).map((w) => [w, rate(w, 'median')!])),
    seconds,
    peakRssMiB: peakRssMiB(),
    spikeRates: rates,
    meanSpikeRate: mean,
    logits,
  };
}
