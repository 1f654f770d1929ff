/**
 * The train configuration and the resume state are validated by one schema each: defaults
 * come from the schema (the library, the CLI and sweeps get the same), bad values and unknown
 * keys are one line, and a tampered train-state.safetensors is refused on --resume.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrainConfig, TrainConfigError, TrainConfigSchema } from '../../src/train/config.js';
import { saveState, loadState, statePath, emptySums } from '../../src/train/state.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import { CheckpointError } from '../../src/io/errors.js';
import { buildModel } from '../../src/snn/build.js';
import { specFromArch } from '../../src/snn/arch.js';
import { Adam } from '../../src/tensor/optim/adam.js';
import { NORMALIZATION } from '../../src/data/dataset.js';
import { tempDir } from '../data/helpers.js';

test('defaults: per method where the seed lineage differs, the same elsewhere', () => {
  const ann = parseTrainConfig({ method: 'ann' });
  const hire = parseTrainConfig({ method: 'hire' });
  assert.deepEqual([ann.lr, ann.optimizer, ann.weightDecay, ann.epochs], [0.01, 'sgd', 5e-4, 100]);
  assert.deepEqual([hire.lr, hire.optimizer, hire.weightDecay, hire.epochs], [1e-4, 'adam', 0, 30]);
  for (const c of [ann, hire]) {
    assert.deepEqual([c.timesteps, c.batch, c.dropout, c.periods, c.noiseEps, c.milestones, c.augment], [8, 64, 0.2, 2, 8 / 255, [0.6, 0.8], true]);
  }
  // what is given is kept, method defaults included
  assert.equal(parseTrainConfig({ method: 'ann', lr: 0.5 }).lr, 0.5);
  // a complete config parses to itself
  assert.deepEqual(parseTrainConfig(hire), hire);
  assert.equal(TrainConfigSchema.safeParse({ method: 'snn', timesteps: 4 }).success, true);
});

test('bad values, unknown keys and rules between options: one TrainConfigError line', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ method: 'snn', dropout: 1 }, /^train configuration: dropout: .*less than 1 \(got 1\)$/],
    [{ method: 'snn', timesteps: 0 }, /timesteps: .*(>=|greater).* 1 \(got 0\)/],
    [{ method: 'snn', lr: -1 }, /lr: .*greater than 0 \(got -1\)/],
    [{ method: 'snn', percentile: 101 }, /percentile: .*100 \(got 101\)/],
    [{ method: 'snn', milestones: [0.5, 1.5] }, /milestones\.1: /],
    [{ method: 'snn', lrr: 0.1 }, /Unrecognized key\(s\) in object: 'lrr'/],
    [{ method: 'sgd' }, /method: /],
    [{}, /method: Required/],
    [{ method: 'hire', timesteps: 7 }, /--timesteps 7 is not divisible by --periods 2/],
    [{ method: 'ann', encoding: 'poisson' }, /--encoding poisson applies to spiking training/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseTrainConfig(input as never), (e: unknown) => {
      assert.ok(e instanceof TrainConfigError, String(e));
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    }, JSON.stringify(input));
  }
});

test('the resume state is validated: a tampered description is one CheckpointError line', () => {
  const dir = tempDir('state');
  try {
    const config = parseTrainConfig({ method: 'snn', arch: '4,A', hidden: [8], dataset: 'cifar10' });
    const spec = specFromArch('4,A', { labels: 10, inChannels: 3, imageSize: 32, hidden: [8] });
    const model = buildModel(spec, NORMALIZATION.cifar10);
    const optimizer = new Adam(model.params, { lr: 1e-3, weightDecay: 0, amsgrad: true });
    const progress = { epoch: 1, batch: 0, sums: emptySums(2), history: [{ event: 'start' as const, time: 'now', method: 'snn' }], best: null, elapsedSeconds: 3, finished: false };
    saveState(dir.path, model, optimizer, { config, spec, normalization: NORMALIZATION.cifar10, progress, images: { train: 8, test: 4 } });
    const good = loadState(dir.path);
    assert.deepEqual(good.meta.config, config);
    assert.deepEqual(good.meta.progress, progress, 'the log entries come back as written');

    const { tensors, metadata } = readSafetensorsFile(statePath(dir.path));
    const meta = JSON.parse(metadata['hire-snn-train-state']) as Record<string, Record<string, unknown>>;
    const tamper: [unknown, RegExp][] = [
      [{ ...meta, progress: { ...meta.progress, epoch: -1 } }, /invalid training state: progress\.epoch: .*0 \(got -1\)/],
      [{ ...meta, config: { ...meta.config, timesteps: 'eight' } }, /invalid training state: config\.timesteps: Expected number, received string/],
      [{ ...meta, spec: { ...meta.spec, cfg: [] } }, /invalid training state: spec\.cfg: /],
      [{ ...meta, progress: { ...meta.progress, history: [{ time: 'now' }] } }, /invalid training state: progress\.history\.0/],
      [{ ...meta, version: 7 }, /invalid training state: version: /],
    ];
    for (const [edited, message] of tamper) {
      writeSafetensorsFile(statePath(dir.path), tensors, { 'hire-snn-train-state': JSON.stringify(edited) });
      assert.throws(() => loadState(dir.path), (e: unknown) => {
        assert.ok(e instanceof CheckpointError, String(e));
        assert.ok(e.message.startsWith(statePath(dir.path)), e.message);
        assert.match(e.message, message);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
    }
  } finally {
    dir.cleanup();
  }
});
