/**
 * `hire-snn bench --init FILE`: the benchmark runs a trained model's own weights (a seed `.pt`
 * here), keeps its thresholds unless asked to search, and exports exactly those for the PyTorch side.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliProcess } from '../helpers/cli.js';
import { FIXTURES, loadFixture } from '../helpers/fixtures.js';
import { createBenchSetup, loadBenchSetup } from '../../src/perf/setup.js';
import { buildModel } from '../../src/snn/build.js';
import type { VggSpec } from '../../src/snn/spec.js';
import { packageRoot } from '../../src/package.js';

const ARCHIVE = path.resolve(packageRoot() ?? '.', '../shared/data/cifar10/cifar-10-binary.tar.gz');
const skip = fs.existsSync(ARCHIVE) ? false : `no shared CIFAR-10 copy at ${ARCHIVE}`;

for (const convert of ['never', 'always'] as const) {
  test(`bench --init a seed .pt, --convert ${convert}: its weights, ${convert === 'never' ? 'its' : 'searched'} thresholds`, { skip }, () => {
    const fx = loadFixture('vgg5-tiny-c10');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsnn-bench-init-'));
    try {
      const r = runCliProcess(['bench', '--init', path.join(FIXTURES, 'vgg5-tiny-c10', 'state_dict_zip.pt'), '--arch', '8,A,16,16,A', '--convert', convert,
        '--data', ARCHIVE, '--timesteps', '4', '--batch', '2', '--calib', '16', '--workloads', 'infer', '--reps', '1', '--export', dir]);
      assert.equal(r.status, 0, r.stderr);
      const s = loadBenchSetup(dir);
      assert.equal(s.weights, 'trained: state_dict_zip.pt');
      assert.deepEqual(s.spec.family === 'vgg' && s.spec.cfg, fx.meta.architecture.cfg);
      assert.equal(s.spec.labels, 10);
      for (const [key, w] of fx.weights) {
        if (key.startsWith('threshold.')) continue;
        // the conversion starts the leaks at 1.0, as the seed does
        if (key.startsWith('leak.') && convert === 'always') assert.equal(s.model.params.get(key)!.data[0], 1, key);
        else assert.deepEqual(s.model.params.get(key)!.data, w.data, key);
      }
      const thresholdKeys = [...fx.weights.keys()].filter((k) => k.startsWith('threshold.'));
      assert.ok(thresholdKeys.length > 0);
      const kept = thresholdKeys.every((k) => s.model.params.get(k)!.data[0] === fx.weights.get(k)!.data[0]);
      if (convert === 'never') {
        assert.ok(kept, 'thresholds kept');
        assert.equal(s.calibration.images, 0);
        assert.match(r.stderr, /thresholds: kept from/);
      } else {
        assert.ok(!kept, 'thresholds searched');
        assert.equal(s.calibration.images, 16);
      }
      assert.match(r.stdout, /inference +\d+\.\d+ img\/s/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('bench --init: a model for other images is refused before any work, naming the file', async () => {
  const spec: VggSpec = { family: 'vgg', cfg: [8, 'A'], hidden: [16], labels: 10, inChannels: 1, imageSize: 28, kernel: 3, dropout: 0.2 };
  const model = buildModel(spec, { mean: [0.5], std: [0.5] });
  await assert.rejects(
    createBenchSetup({
      arch: 'vgg11', classes: 10, hidden: [16], timesteps: 2, batch: 1, seed: 0, calibImages: 1, scaling: 0.7,
      data: '/nonexistent', init: { model, spec, searchThresholds: true, label: 'fm.safetensors' },
    }),
    /CIFAR-10 images \(3x32x32\); fm\.safetensors takes 1x28x28/,
  );
});
