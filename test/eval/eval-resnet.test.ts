/**
 * ResNets through the same `eval` path as VGG: the DIET-SNN resnet20 fixture .pt reproduces the
 * fixture's logits (architecture inferred from the keys), and a ResNet12 saved in our
 * checkpoint format runs clean/FGSM/PGD end to end on the shared CIFAR-10 copy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runEvaluation } from '../../src/eval/run-eval.js';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { toFloat32 } from '../../src/io/arrays.js';
import { saveCheckpoint } from '../../src/io/checkpoint.js';
import { buildModel } from '../../src/snn/build.js';
import { resnetSpec } from '../../src/snn/resnet-presets.js';
import { findThresholds } from '../../src/snn/thresholds.js';
import { NORMALIZATION } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load.js';
import { Rng } from '../../src/data/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { loadFixture, relErr, FIXTURES } from '../helpers/fixtures.js';
import { tempDir } from '../data/helpers.js';

const energy = { macPj: 4.6, acPj: 0.9 };

test('eval of the resnet20 fixture .pt reproduces its logits and spike counts', async () => {
  const f = loadFixture('resnet20-tiny-c10');
  const tmp = tempDir('resnet-eval');
  try {
    const out = path.join(tmp.path, 'out.safetensors');
    const report = await runEvaluation({
      model: path.join(FIXTURES, 'resnet20-tiny-c10', 'state_dict_zip.pt'), arch: 'resnet20', dataset: 'cifar10',
      inputs: path.join(FIXTURES, 'resnet20-tiny-c10', 'case.safetensors'), timesteps: f.meta.timesteps,
      attacks: ['clean'], eps: 0.031, pgdSteps: 1, pgdStepSize: 0.01, pgdRandomStart: false, batch: 2, seed: 0, saveOutputs: out, energy,
    });
    const logits = toFloat32(readSafetensorsFile(out).tensors.get('logits.clean')!);
    assert.ok(relErr(logits, f.case.get('logits')!.data) < 1e-4);
    assert.match(report.model.architecture, /^resnet20 /);
    const expected = f.case.get('spike_counts')!.data;
    report.spikes.clean!.forEach((l, i) => assert.ok(Math.abs(l.totalSpikes - expected[i]) <= 5, `${l.name}: ${l.totalSpikes} vs ${expected[i]}`));
    assert.ok(report.energy!.ops.some((op) => op.name.includes('identity')), 'shortcut convs are in the energy model');
  } finally {
    tmp.cleanup();
  }
});

test('a ResNet12 checkpoint runs eval end to end on CIFAR-10', async () => {
  const tmp = tempDir('resnet12');
  try {
    const spec = resnetSpec('resnet12', { labels: 10, widths: [8, 16, 16, 32] });
    const model = buildModel(spec, NORMALIZATION.cifar10, new Rng(3));
    const calib = await loadDataset('cifar10', 'train', { limit: 16 });
    const x = new Tensor(Float32Array.from(calib.images, (v) => v / 255), [16, 3, 32, 32]);
    findThresholds(model, x, { timesteps: 4, scaling: 0.7 });
    const file = path.join(tmp.path, 'model.safetensors');
    saveCheckpoint(file, model, { spec, timesteps: 4, normalization: NORMALIZATION.cifar10, dataset: 'cifar10', method: 'converted' });
    const report = await runEvaluation({
      model: file, arch: 'auto', attacks: ['clean', 'fgsm', 'pgd'], eps: 0.031, pgdSteps: 2, pgdStepSize: 0.01,
      pgdRandomStart: true, batch: 4, limit: 8, seed: 0, energy,
    });
    assert.equal(report.n, 8);
    assert.equal(report.dataset.name, 'cifar10');
    assert.equal(report.protocol.timesteps, 4, 'timesteps come from the checkpoint');
    assert.equal(report.spikes.clean!.length, 3 + 2 * 4);
    assert.ok(report.spikes.clean!.every((l) => l.totalSpikes > 0), 'thresholds from the search make every layer spike');
  } finally {
    tmp.cleanup();
  }
});
