/**
 * A seed-layout VGG11 .pt (legacy format as PyTorch 1.5 wrote, 100 classes, 8192-4096-4096
 * classifier) runs `eval` end to end on CIFAR-100-layout data written here; `--arch auto`
 * recognises the preset from the tensors alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { buildModel } from '../../src/snn/build.js';
import { VGG_PRESETS, type VggSpec } from '../../src/snn/spec.js';
import { NORMALIZATION } from '../../src/data/dataset.js';
import { Rng } from '../../src/data/rng.js';
import { exportTorch } from '../../src/io/export.js';
import { runEvaluation } from '../../src/eval/run-eval.js';
import { tempDir, writeFiles, cifarRecords, FINE_NAMES, COARSE_NAMES } from '../data/helpers.js';

test('eval runs a seed-layout VGG11 legacy .pt on CIFAR-100-layout data', async () => {
  const tmp = tempDir('vgg11');
  try {
    const spec: VggSpec = { family: 'vgg', cfg: VGG_PRESETS.vgg11, hidden: [4096, 4096], labels: 100, inChannels: 3, imageSize: 32, kernel: 3, dropout: 0.2 };
    const model = buildModel(spec, NORMALIZATION.cifar100, new Rng(7));
    const file = path.join(tmp.path, 'vgg11_cifar100.pt');
    exportTorch(model, file, 'legacy');
    assert.ok(fs.statSync(file).size > 200e6, 'a full-size VGG11 checkpoint');
    const labels = [[3, 41], [11, 7], [0, 99]];
    writeFiles(tmp.path, {
      'cifar-100-binary/coarse_label_names.txt': COARSE_NAMES.join('\n') + '\n',
      'cifar-100-binary/fine_label_names.txt': FINE_NAMES.join('\n') + '\n',
      'cifar-100-binary/train.bin': cifarRecords(labels, 1),
      'cifar-100-binary/test.bin': cifarRecords(labels, 2),
    });
    const report = await runEvaluation({
      model: file, arch: 'auto', dataset: 'cifar100', data: tmp.path, timesteps: 2,
      attacks: ['clean', 'fgsm', 'pgd'], eps: 0.031, pgdSteps: 1, pgdStepSize: 0.01, pgdRandomStart: true,
      batch: 2, seed: 1, energy: { macPj: 4.6, acPj: 0.9 },
    });
    assert.equal(report.n, 3);
    assert.equal(report.model.format, 'torch-legacy');
    assert.match(report.model.architecture, /VGG \[64,A,128,256,A,512,512,512,A,512,512\] hidden \[4096,4096\] 100 classes/);
    for (const r of [report.results.clean!, report.results.fgsm!.whiteBox!, report.results.pgd!.whiteBox!]) {
      assert.ok(r.top1 >= 0 && r.top1 <= 100 && r.top5 >= r.top1);
    }
    assert.equal(report.spikes.clean!.length, 10, '8 convs + 2 hidden layers spike');
    assert.ok(report.energy!.annPj > 0);
  } finally {
    tmp.cleanup();
  }
});
