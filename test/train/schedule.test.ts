/** Learning-rate schedules are pure functions of (epoch, batch); config checks give clear messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningRate, milestoneEpochs } from '../../src/train/schedule.js';
import { parseTrainConfig, HIRE_DEFAULTS, type TrainConfig } from '../../src/train/config.js';
import { specFromArch } from '../../src/snn/arch.js';
import { datasetShape } from '../../src/train/model-spec.js';

const base = { lr: 0.01, epochs: 10, batchesPerEpoch: 5, milestones: [0.6, 0.8], gamma: 0.1 };

test('step schedule decays by gamma at 0.6 and 0.8 of the epochs', () => {
  assert.deepEqual(milestoneEpochs(base), [6, 8]);
  const lr = (e: number) => learningRate({ ...base, kind: 'step' }, e, 3);
  assert.equal(lr(0), 0.01);
  assert.equal(lr(5), 0.01);
  assert.ok(Math.abs(lr(6) - 1e-3) < 1e-12);
  assert.ok(Math.abs(lr(9) - 1e-4) < 1e-12);
});

test('cosine schedule goes from lr to 0 over all batches; constant stays', () => {
  const c = { ...base, kind: 'cosine' as const };
  assert.equal(learningRate(c, 0, 0), 0.01);
  assert.ok(Math.abs(learningRate(c, 5, 0) - 0.005) < 1e-12);
  assert.ok(learningRate(c, 9, 4) < 1e-5);
  assert.equal(learningRate({ ...base, kind: 'constant' }, 7, 2), 0.01);
});

const config = (extra: Partial<TrainConfig>): TrainConfig => ({
  method: 'hire', arch: 'vgg5', dropout: 0.2, convert: 'auto', dataset: 'cifar10', timesteps: 8, epochs: 1, batch: 8, lr: 1e-4,
  optimizer: 'adam', momentum: 0.9, weightDecay: 0, schedule: 'step', milestones: [0.6, 0.8], gamma: 0.1, augment: true, seed: 0,
  encoding: 'direct', calibration: 512, percentile: 99.7, scaling: 0.7, ...HIRE_DEFAULTS, saveEveryMinutes: 10, ...extra,
});

test('config checks: T divisible by N, carry-membrane only for hire, Poisson only for snn', () => {
  assert.doesNotThrow(() => parseTrainConfig(config({})));
  assert.throws(() => parseTrainConfig(config({ timesteps: 7, periods: 2 })), /--timesteps 7 is not divisible by --periods 2/);
  assert.doesNotThrow(() => parseTrainConfig(config({ carryMembrane: true })));
  assert.throws(() => parseTrainConfig(config({ method: 'snn', carryMembrane: true })), /--carry-membrane applies to --method hire/);
  assert.throws(() => parseTrainConfig(config({ encoding: 'poisson' })), /Poisson/);
  assert.doesNotThrow(() => parseTrainConfig(config({ method: 'snn', encoding: 'poisson', timesteps: 7 })));
  assert.throws(() => parseTrainConfig(config({ noiseTiming: 'after-update', hireUpdate: 'per-batch' })), /--noise-timing after-update needs --hire-update per-period/);
  assert.throws(() => parseTrainConfig(config({ noiseWarmup: -1 })), /noiseWarmup/);
});

test('--arch: presets, layer lists and ResNets on the dataset shape', () => {
  const v = specFromArch('16,A,32,32,A', { ...datasetShape('cifar10'), hidden: [128], dropout: 0.2 });
  assert.equal(v.family, 'vgg');
  assert.deepEqual(v.family === 'vgg' ? [v.cfg, v.hidden, v.labels] : null, [[16, 'A', 32, 32, 'A'], [128], 10]);
  const r = specFromArch('resnet20', { ...datasetShape('cifar100'), widths: [8, 16, 32, 64], dropout: 0.2 });
  assert.deepEqual(r.family === 'resnet' ? [r.blocks, r.widths, r.labels] : null, [[2, 2, 2, 2], [8, 16, 32, 64], 100]);
  assert.throws(() => specFromArch('vgg99', { ...datasetShape('cifar10'), dropout: 0.2 }), /unknown --arch "vgg99"/);
  assert.throws(() => specFromArch('8,A,A', { ...datasetShape('cifar10'), dropout: 0.2 }), /'A' \(avg-pool\) must follow a conv width \(position 3\)/);
});
