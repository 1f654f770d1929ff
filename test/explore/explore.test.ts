/** What the explorer computes (Node, portable backend): traces that replay the scan, attacks inside their box, the image set file. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { getBackend, setBackend, type Backend } from '../../src/kernels/index.js';
import { portableBackend } from '../../src/kernels/portable/index.js';
import { Tensor, noGrad } from '../../src/tensor/tensor.js';
import { readImageSet, encodeImageSet, imagePixels, ImageSetError } from '../../src/explore/image-set.js';
import { loadExplorerModel, type ExplorerModel } from '../../src/explore/model.js';
import { exploreImage, viewImage } from '../../src/explore/run.js';
import { firingRates, membraneOf } from '../../src/explore/traces.js';
import { concatChunks } from '../../src/io/atomic-write.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { CheckpointError } from '../../src/io/errors.js';
import { loadDataset } from '../../src/data/load.js';
import type { Dataset } from '../../src/data/dataset.js';
import { FIXTURE_MODEL, FIXTURE_ARCH, ROOT, otherSizeCheckpoint } from './helpers.js';

const COMMITTED = path.join(ROOT, 'web', 'cifar10-test-100.safetensors');

let previous: Backend;
let set: Dataset;
let m: ExplorerModel;
before(() => {
  previous = getBackend();
  setBackend(portableBackend);
  set = readImageSet(fs.readFileSync(COMMITTED));
  m = loadExplorerModel(fs.readFileSync(FIXTURE_MODEL), 'weights.safetensors', set, { arch: FIXTURE_ARCH });
});
after(() => setBackend(previous));

describe('traces', () => {
  test('observing changes no number, and each neuron\'s replayed membrane gives exactly the spikes the scan fired', () => {
    const x01 = imagePixels(set, 3);
    const view = viewImage(m.model, m.timesteps, x01);
    const plain = noGrad(() => m.model.forward(new Tensor(x01, [1, 3, 32, 32]), { timesteps: m.timesteps })).logits.data;
    assert.deepEqual([...view.logits], [...plain]);
    assert.deepEqual(view.traces.map((t) => t.name), m.model.spikingLayers().map((l) => l.name));
    let fired = 0;
    for (const t of view.traces) {
      assert.equal(t.steps, m.timesteps);
      for (let n = 0; n < t.neurons; n++) {
        const mem = membraneOf(t, n);
        // the portable scan's own rule on the replayed (float64) potential: exact on this backend
        const replayed = mem.potential.map((v) => (v / t.threshold - 1 > 0 ? 1 : 0));
        assert.deepEqual(replayed, mem.spikes, `${t.name} neuron ${n}`);
        fired += mem.spikes.reduce((a: number, b) => a + b, 0);
      }
      const rates = firingRates(t);
      assert.ok(rates.every((r) => r >= 0 && r <= 1));
    }
    assert.ok(fired > 100, `the fixture fires (${fired} spikes)`);
    assert.ok(view.energy.snnPj > 0 && view.energy.annPj > 0);
    assert.throws(() => membraneOf(view.traces[0], view.traces[0].neurons), RangeError);
  });
});

describe('attacks', () => {
  test('FGSM and PGD stay in the eps box and [0, 1], state their protocol, and repeat with the seed', () => {
    const x01 = imagePixels(set, 1);
    const eps = 8 / 255;
    for (const attack of ['fgsm', 'pgd'] as const) {
      const r = exploreImage(m.model, m.timesteps, { x01, label: set.labels[1], attack, epsilon: eps, steps: 3, seed: 5 });
      const adv = r.attacked!.x01;
      let worst = 0;
      for (let i = 0; i < x01.length; i++) {
        assert.ok(adv[i] >= 0 && adv[i] <= 1);
        worst = Math.max(worst, Math.abs(adv[i] - x01[i]));
      }
      assert.ok(worst <= eps + 1e-6 && worst > eps / 2, `${attack}: max |delta| ${worst}`);
      assert.match(r.protocol, new RegExp(`^${attack} \\(eps 0\\.031.*T 8, surrogate pwl.*seed 5$`));
      assert.ok(r.passes >= (attack === 'pgd' ? 3 : 1));
      const again = exploreImage(m.model, m.timesteps, { x01, label: set.labels[1], attack, epsilon: eps, steps: 3, seed: 5 });
      assert.deepEqual([...again.attacked!.logits], [...r.attacked!.logits]);
    }
    const clean = exploreImage(m.model, m.timesteps, { x01, attack: 'none', epsilon: eps });
    assert.equal(clean.attacked, undefined);
    assert.equal(clean.passes, 0);
  });
});

describe('image set', () => {
  test('the committed 100 images are the CIFAR-10 test set\'s first 100 (when the dataset is here)', async (t) => {
    assert.equal(set.count, 100);
    assert.equal(set.name, 'cifar10');
    assert.deepEqual([set.channels, set.height, set.width], [3, 32, 32]);
    let d: Dataset;
    try {
      d = await loadDataset('cifar10', 'test', { limit: 100 });
    } catch {
      t.skip('no CIFAR-10 copy here');
      return;
    }
    assert.deepEqual(set.labels, d.labels);
    assert.ok(Buffer.from(set.images).equals(Buffer.from(d.images)));
    assert.deepEqual(readImageSet(concatChunks(encodeImageSet(d))).classes, d.classes);
  });

  test('files that are not image sets are refused by what is wrong', () => {
    const bare = concatChunks(encodeSafetensors([['images', { dtype: 'U8', shape: [1, 1, 2, 2], data: new Uint8Array(4) }]]));
    assert.throws(() => readImageSet(bare), (e: unknown) => e instanceof ImageSetError && /no "hire-snn-images" metadata/.test(e.message));
    assert.throws(() => imagePixels(set, 100), /image 100 is not one of the 100 images/);
  });

  test('a model for another input size or class count is one error naming the file', () => {
    assert.throws(() => loadExplorerModel(otherSizeCheckpoint(), 'mnist.safetensors', set),
      (e: unknown) => e instanceof CheckpointError && e.message === 'mnist.safetensors: the model takes 1x28x28 images, the images here are cifar10 3x32x32');
  });
});
