/**
 * The DIET-SNN spiking ResNet against the PyTorch golden fixture (resnet20-tiny-c10), on
 * every backend: logits, spike counts, loss, gradients of the input and of every parameter.
 * Plus: the state_dict order of the real torch.save file, a ResNet12 from the presets
 * (forward + backward, shapes, key names), threshold search, the ANN forward, the energy ops.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { onBackend } from '../helpers/backends.js';
import { Tensor, backward } from '../../src/tensor/tensor.js';
import { crossEntropy } from '../../src/tensor/ops/cross-entropy.js';
import { buildModel } from '../../src/snn/build.js';
import { findThresholds } from '../../src/snn/thresholds.js';
import { resnetSpec, RESNET_BLOCKS } from '../../src/snn/resnet-presets.js';
import { readTorchPtFile } from '../../src/io/load.js';
import { Rng } from '../../src/data/rng.js';
import type { SpikingModel } from '../../src/snn/model.js';
import { loadFixture, resnetSpecOf, type Fixture } from '../helpers/fixtures.js';
import { describeFixture, fixtureModel, fixtureInput } from '../helpers/check-model.js';

const NAME = 'resnet20-tiny-c10';
const CIFAR = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] };

const modelOf = (f: Fixture): SpikingModel => fixtureModel(f, resnetSpecOf);

function randomImages(rng: Rng, shape: number[], requiresGrad = false): Tensor {
  const t = Tensor.zeros(shape, requiresGrad);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniform();
  return t;
}

/** every key DIET-SNN's RESNET_SNN_STDB has, module by module, for the given stage block counts */
function dietKeys(blocks: number[], projections: Set<string>): { weights: string[]; layers: number[] } {
  const weights = ['pre_process.0.weight', 'pre_process.3.weight', 'pre_process.6.weight'];
  const layers = [0, 3, 6];
  let pos = 9;
  blocks.forEach((n, s) => {
    for (let j = 0; j < n; j++) {
      const p = `layer${s + 1}.${j}`;
      weights.push(`${p}.residual.0.weight`, `${p}.residual.3.weight`);
      if (projections.has(p)) weights.push(`${p}.identity.0.weight`);
      layers.push(pos, pos + 1);
      pos += 2;
    }
  });
  weights.push('classifier.0.weight');
  return { weights, layers };
}

describeFixture(NAME, modelOf, (fixture, backend) => {
  test('threshold search: positive thresholds, then spikes in every layer', onBackend(backend, () => {
    const f = fixture();
    const model = modelOf(f);
    const x = fixtureInput(f);
    const res = findThresholds(model, x, { timesteps: f.meta.timesteps, scaling: 0.7 });
    const layers = model.spikingLayers();
    assert.deepEqual(res.raw.map((r) => r.index), layers.map((l) => l.index));
    for (const l of layers) {
      assert.ok(model.params.get(`threshold.t${l.index}`)!.item() > 0, `threshold.t${l.index}`);
      assert.equal(model.params.get(`leak.l${l.index}`)!.item(), 1);
    }
    const out = model.forward(x, { timesteps: f.meta.timesteps });
    out.spikeCounts.forEach((c, i) => assert.ok(c > 0, `layer ${layers[i].name} is silent after the search`));
    assert.ok(out.logits.data.every(Number.isFinite));
    // DIET-SNN's find_threshold covers only a ResNet's stem: the others keep their thresholds
    const stemOnly = modelOf(f);
    const before = layers.map((l) => stemOnly.params.get(`threshold.t${l.index}`)!.item());
    const part = findThresholds(stemOnly, x, { timesteps: f.meta.timesteps, layers: new Set([0, 3, 6]) });
    assert.deepEqual(part.raw.map((r) => r.index), [0, 3, 6]);
    layers.forEach((l, i) => {
      const now = stemOnly.params.get(`threshold.t${l.index}`)!.item();
      if (l.index < 9) assert.equal(now, Math.fround(part.raw[i].value));
      else assert.equal(now, before[i]);
    });
  }));
});

describe('spiking ResNet layout', () => {
  test('state_dict keys and order are those of the torch.save file', () => {
    const f = loadFixture(NAME);
    const pt = readTorchPtFile(path.join(f.dir, 'state_dict_zip.pt')).value as Map<string, unknown>;
    const model = buildModel(resnetSpecOf(f.meta), f.meta.normalization);
    assert.deepEqual([...model.params.keys()], [...pt.keys()]);
    const { weights, layers } = dietKeys([2, 2, 2, 2], new Set(['layer2.0', 'layer3.0', 'layer4.0']));
    assert.deepEqual([...model.params.keys()].filter((k) => k.endsWith('.weight')), weights);
    assert.deepEqual(model.spikingLayers().map((l) => l.index), layers);
  });

  test('presets', () => {
    assert.deepEqual(RESNET_BLOCKS, { resnet12: [1, 1, 1, 1], resnet20: [2, 2, 2, 2], resnet34: [3, 4, 6, 3] });
    const s = resnetSpec('ResNet34', { labels: 100 });
    assert.deepEqual(s, {
      family: 'resnet', name: 'resnet34', widths: [64, 128, 256, 512], blocks: [3, 4, 6, 3], strides: [1, 2, 2, 2],
      stem: [64, 64, 64], labels: 100, inChannels: 3, imageSize: 32, dropout: 0.2,
    });
    const m = buildModel(s, CIFAR);
    assert.deepEqual(m.params.get('classifier.0.weight')!.shape, [100, 512 * 2 * 2]);
    assert.equal(m.spikingLayers().length, 3 + 2 * 16);
    assert.throws(() => resnetSpec('resnet18', { labels: 10 }), /unknown ResNet/);
    assert.throws(() => resnetSpec('resnet12', { labels: 10, widths: [8, 16] }), /4 stages/);
  });

  test('ResNet12 from the presets: forward + backward with the right shapes and key names', () => {
    const rng = new Rng(7);
    const spec = resnetSpec('resnet12', { labels: 10, widths: [4, 8, 8, 16], stem: [4, 6, 8] });
    const model = buildModel(spec, CIFAR, rng);
    const { weights, layers } = dietKeys([1, 1, 1, 1], new Set(['layer1.0', 'layer2.0', 'layer3.0', 'layer4.0']));
    const thresholds = layers.map((l) => `threshold.t${l}`).sort();
    const leaks = layers.map((l) => `leak.l${l}`).sort();
    assert.deepEqual([...model.params.keys()], [...weights, ...thresholds, ...leaks]);
    const shape = (k: string) => model.params.get(k)!.shape;
    assert.deepEqual(shape('pre_process.0.weight'), [4, 3, 3, 3]);
    assert.deepEqual(shape('pre_process.6.weight'), [8, 6, 3, 3]);
    assert.deepEqual(shape('layer1.0.identity.0.weight'), [4, 8, 1, 1]);
    assert.deepEqual(shape('layer2.0.residual.0.weight'), [8, 4, 3, 3]);
    assert.deepEqual(shape('layer3.0.residual.3.weight'), [8, 8, 3, 3]);
    assert.deepEqual(shape('layer4.0.identity.0.weight'), [16, 8, 1, 1]);
    assert.deepEqual(shape('classifier.0.weight'), [10, 16 * 2 * 2]);
    assert.deepEqual(shape('threshold.t9'), []);
    assert.deepEqual(model.spikingLayers().map((l) => [l.index, l.name, l.neurons]), [
      [0, 'pre_process.0', 4 * 32 * 32], [3, 'pre_process.3', 6 * 32 * 32], [6, 'pre_process.6', 8 * 32 * 32],
      [9, 'layer1.0.residual.0', 4 * 16 * 16], [10, 'layer1.0.residual.3', 4 * 16 * 16],
      [11, 'layer2.0.residual.0', 8 * 8 * 8], [12, 'layer2.0.residual.3', 8 * 8 * 8],
      [13, 'layer3.0.residual.0', 8 * 4 * 4], [14, 'layer3.0.residual.3', 8 * 4 * 4],
      [15, 'layer4.0.residual.0', 16 * 2 * 2], [16, 'layer4.0.residual.3', 16 * 2 * 2],
    ]);
    // lower thresholds so that the random network spikes everywhere
    for (const [k, p] of model.params) if (k.startsWith('threshold.')) p.data[0] = 0.3;
    const x = randomImages(rng, [3, 3, 32, 32], true);
    for (const train of [false, true]) {
      for (const p of model.params.values()) p.grad = null;
      x.grad = null;
      const out = model.forward(x, { timesteps: 3, train, rng });
      assert.deepEqual(out.logits.shape, [3, 10]);
      assert.equal(out.spikeCounts.length, layers.length);
      const loss = crossEntropy(out.logits, [0, 1, 2]);
      backward(loss);
      assert.ok(Number.isFinite(loss.item()));
      assert.equal(x.grad!.length, x.size);
      for (const [k, p] of model.params) {
        assert.ok(p.grad && p.grad.length === p.size && p.grad.every(Number.isFinite), `grad of ${k}`);
      }
      assert.ok(model.params.get('pre_process.0.weight')!.grad!.some((g) => g !== 0));
    }
    // eval mode is deterministic; train mode draws dropout masks
    const a = model.forward(x, { timesteps: 3 }).logits.data;
    const b = model.forward(x, { timesteps: 3 }).logits.data;
    assert.deepEqual(a, b);
  });

  test('forwardAnn: logits of the ReLU network', () => {
    const rng = new Rng(3);
    const model = buildModel(resnetSpec('resnet12', { labels: 7, widths: [4, 4, 8, 8], imageSize: 16 }), CIFAR, rng);
    const x = randomImages(rng, [2, 3, 16, 16], true);
    for (const train of [false, true]) {
      const y = model.forwardAnn(x, { train, rng });
      assert.deepEqual(y.shape, [2, 7]);
      assert.ok(y.data.every(Number.isFinite));
      backward(crossEntropy(y, [1, 2]));
      assert.ok(x.grad!.some((g) => g !== 0));
    }
  });

  test('weightedOps: every conv incl. the shortcut, and the classifier, with their inputs', () => {
    const model = buildModel(resnetSpec('resnet12', { labels: 10, widths: [4, 8, 8, 16], stem: [4, 6, 8] }), CIFAR);
    const ops = model.weightedOps().map((o) => [o.name, o.macs, o.input.kind === 'analog' ? 'analog' : o.input.layer]);
    // a block with a projection shortcut, c channels out of cin at h x h: two 3x3 convs (the
    // second reads the first's spikes, layer `mid`) and the 1x1 shortcut, both reading layer `input`
    const block = (p: string, c: number, h: number, cin: number, input: number, mid: number) => [
      [`${p}.residual.0`, c * h * h * cin * 9, input],
      [`${p}.residual.3`, c * h * h * c * 9, mid],
      [`${p}.identity.0`, c * h * h * cin, input],
    ];
    assert.deepEqual(ops, [
      ['pre_process.0', 4 * 32 * 32 * 3 * 9, 'analog'],
      ['pre_process.3', 6 * 32 * 32 * 4 * 9, 0],
      ['pre_process.6', 8 * 32 * 32 * 6 * 9, 3],
      ...block('layer1.0', 4, 16, 8, 6, 9),
      ...block('layer2.0', 8, 8, 4, 10, 11),
      ...block('layer3.0', 8, 4, 8, 12, 13),
      ...block('layer4.0', 16, 2, 8, 14, 15),
      ['classifier.0', 10 * 64, 16],
    ]);
  });
});
