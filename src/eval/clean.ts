/**
 * Clean test accuracy during training (eval mode: no dropout): the ReLU network for `ann`, the
 * spiking network over T steps otherwise, with per-layer firing rates. Adversarial accuracy is
 * `hire-snn eval`'s job.
 */
import { Tensor, noGrad } from '../tensor/tensor.js';
import { releasingBuffers } from '../tensor/buffer.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import type { Encoding, SpikingModel } from '../snn/model.js';
import type { Dataset } from '../data/dataset.js';
import { BatchLoader } from '../data/loader.js';
import { Rng, mixSeed } from '../data/rng.js';
import { countCorrect } from './accuracy.js';

export interface CleanEvalOptions {
  /** evaluate the ReLU network (ANN) instead of the spiking one */
  ann: boolean;
  timesteps: number;
  batch: number;
  encoding: Encoding;
  seed: number;
  onProgress?: (done: number) => void;
  /** checked between batches; evaluation stops early (returns null) when it says so */
  shouldStop?: () => boolean;
  /** awaited between batches (lets a Ctrl-C handler run) */
  yieldEvery?: () => Promise<void>;
}

export interface LayerRate {
  name: string;
  /** probability that a neuron fires at a given step */
  rate: number;
}

export interface CleanEvalResult {
  n: number;
  top1: number;
  loss: number;
  /** absent for the ANN */
  firingRates?: LayerRate[];
  /** mean over layers of the firing rates */
  meanFiringRate?: number;
}

const POISSON_STREAM = 0x45564c;

export async function evaluateClean(model: SpikingModel, data: Dataset, o: CleanEvalOptions): Promise<CleanEvalResult | null> {
  const loader = new BatchLoader(data, { batchSize: o.batch });
  const layers = model.spikingLayers();
  const spikes = layers.map(() => 0);
  let correct = 0;
  let lossSum = 0;
  let n = 0;
  for (let k = 0; k < loader.length; k++) {
    if (o.shouldStop?.()) return null;
    const b = loader.batch(0, k);
    const x = new Tensor(b.x01, b.shape);
    const { logits, counts } = releasingBuffers(() => noGrad(() => {
      if (o.ann) return { logits: model.forwardAnn(x, { train: false }), counts: undefined };
      const out = model.forward(x, { timesteps: o.timesteps, encoding: o.encoding, rng: new Rng(mixSeed(o.seed, k, POISSON_STREAM)) });
      return { logits: out.logits, counts: out.spikeCounts };
    }), (r) => [r.logits.data]);
    counts?.forEach((c, i) => (spikes[i] += c));
    correct += countCorrect(logits.data, b.labels, model.spec.labels);
    lossSum += noGrad(() => crossEntropy(logits, b.labels)).item() * b.size;
    n += b.size;
    o.onProgress?.(n);
    await o.yieldEvery?.();
  }
  const result: CleanEvalResult = { n, top1: n ? (100 * correct) / n : 0, loss: n ? lossSum / n : 0 };
  if (!o.ann) {
    result.firingRates = layers.map((l, i) => ({ name: l.name, rate: n ? spikes[i] / (l.neurons * n * o.timesteps) : 0 }));
    result.meanFiringRate = result.firingRates.reduce((a, r) => a + r.rate, 0) / Math.max(1, layers.length);
  }
  return result;
}
