/** In-memory training inputs shared by the training tests: random CIFAR-10-shaped images and a tiny config. */
import type { TrainConfig, TrainMethod } from '../../src/train/config.js';
import { HIRE_DEFAULTS } from '../../src/train/config.js';
import type { Dataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/data/rng.js';

export function dataset(split: 'train' | 'test', count: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * 3072);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = Uint8Array.from({ length: count }, (_, i) => (i * 3 + seed) % 10);
  return { name: 'cifar10', split, images, labels, count, channels: 3, height: 32, width: 32, classes: [], numClasses: 10 };
}

/** a 4,A,8,A VGG, T=4, 2 epochs of batch 8 */
export function config(method: TrainMethod, extra: Partial<TrainConfig> = {}): TrainConfig {
  return {
    method, arch: '4,A,8,A', hidden: [16], dropout: 0.2, convert: 'auto', dataset: 'cifar10', timesteps: 4, epochs: 2, batch: 8,
    lr: method === 'ann' ? 0.05 : 1e-3, optimizer: method === 'ann' ? 'sgd' : 'adam', momentum: 0.9, weightDecay: 5e-4, schedule: 'step',
    milestones: [0.5], gamma: 0.1, augment: true, seed: 7, encoding: 'direct', calibration: 8, percentile: 99.7, scaling: 0.7,
    ...HIRE_DEFAULTS, saveEveryMinutes: 10, ...extra,
  };
}
