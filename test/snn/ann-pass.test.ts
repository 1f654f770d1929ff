/**
 * The ANN pass of a network (`forwardAnn`), `activation: 'threshold-scaled'`: every spiking layer
 * becomes clamp(I/θ, 0, 1) with its threshold θ. Logits and the input gradient of a small VGG
 * against a float64 reference on every backend; the op alone; ResNets take it too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends } from '../../src/kernels/index.js';
import { onBackend } from '../helpers/backends.js';
import { Tensor, backward } from '../../src/tensor/tensor.js';
import { clampScaled } from '../../src/tensor/ops/clamp-scaled.js';
import { buildModel } from '../../src/snn/build.js';
import { resnetSpec } from '../../src/snn/resnet-presets.js';
import type { VggSpec } from '../../src/snn/spec.js';
import { Rng, refAvgPoolBackward, refAvgPoolForward, refConvBackwardData, refConvForward } from '../kernels/reference.js';
import { relErr } from '../helpers/fixtures.js';

const NORM = { mean: [0.4, 0.5], std: [0.25, 0.2] };
const seeded = (seed: number) => {
  const r = new Rng(seed);
  return { uniform: () => r.next() };
};

/** y = W x for W [out, in] and x [b, in] */
function matmul(x: ArrayLike<number>, w: ArrayLike<number>, b: number, inF: number, outF: number, transpose = false): Float64Array {
  const y = new Float64Array(b * (transpose ? inF : outF));
  for (let n = 0; n < b; n++) {
    for (let o = 0; o < outF; o++) {
      for (let i = 0; i < inF; i++) {
        if (transpose) y[n * inF + i] += x[n * outF + o] * w[o * inF + i];
        else y[n * outF + o] += x[n * inF + i] * w[o * inF + i];
      }
    }
  }
  return y;
}

const clampRate = (v: Float64Array, theta: number) => v.map((a) => Math.min(1, Math.max(0, a / theta)));
const rateGrad = (g: Float64Array, pre: Float64Array, theta: number) => g.map((d, i) => (pre[i] > 0 && pre[i] < theta ? d / theta : 0));

test('clampScaled: clamp(x/θ, 0, 1), gradient 1/θ strictly inside (0, θ)', () => {
  const x = new Tensor(Float32Array.of(-1, 0, 0.3, 0.5, 0.9, 2), [6], { requiresGrad: true });
  const y = clampScaled(x, 0.5);
  assert.deepEqual([...y.data], [0, 0, Math.fround(0.3) / 0.5, 1, 1, 1].map(Math.fround));
  backward(y, Float32Array.of(1, 1, 1, 1, 1, 1));
  assert.deepEqual([...x.grad!], [0, 0, 2, 0, 0, 0]);
  assert.throws(() => clampScaled(x, 0), /threshold must be a finite number > 0/);
});

describe('threshold-scaled ANN of a VGG against float64', () => {
  const spec: VggSpec = { family: 'vgg', cfg: [4, 'A'], hidden: [6], labels: 3, inChannels: 2, imageSize: 6, kernel: 3, dropout: 0.2 };
  const model = buildModel(spec, NORM, seeded(3));
  const [t0, t3] = [0.35, 0.05];
  model.params.get('threshold.t0')!.data[0] = t0;
  model.params.get('threshold.t3')!.data[0] = t3;
  const b = 2;
  const rng = new Rng(11);
  const x01 = Float32Array.from({ length: b * 2 * 36 }, () => rng.next());
  const r = Float64Array.from({ length: b * 3 }, () => rng.next() - 0.5);
  const w = (k: string) => model.params.get(k)!.data;

  // the reference: normalise, conv, rate, pool, flatten, linear, rate, linear; L = sum(r * logits)
  const norm = Float64Array.from(x01, (v, i) => (v - NORM.mean[Math.floor(i / 36) % 2]) / NORM.std[Math.floor(i / 36) % 2]);
  const shape = { n: b, cIn: 2, h: 6, w: 6, cOut: 4, kh: 3, kw: 3, stride: 1, pad: 1 };
  const c1 = refConvForward(norm, w('features.0.weight'), shape);
  const pooled = refAvgPoolForward(clampRate(c1, t0), b, 4, 6, 6, 2);
  const h = matmul(pooled, w('classifier.0.weight'), b, 36, 6);
  const logitsRef = matmul(clampRate(h, t3), w('classifier.3.weight'), b, 6, 3);
  const dh = rateGrad(matmul(r, w('classifier.3.weight'), b, 6, 3, true), h, t3);
  const dc1 = rateGrad(refAvgPoolBackward(matmul(dh, w('classifier.0.weight'), b, 36, 6, true), b, 4, 6, 6, 2), c1, t0);
  const dxRef = Float64Array.from(refConvBackwardData(dc1, w('features.0.weight'), shape), (g, i) => g / NORM.std[Math.floor(i / 36) % 2]);

  for (const backend of availableBackends()) {
    test(`${backend.name}: logits and input gradient`, onBackend(backend, () => {
      const x = new Tensor(x01, [b, 2, 6, 6], { requiresGrad: true });
      const logits = model.forwardAnn(x, { activation: 'threshold-scaled' });
      assert.ok(relErr(logits.data, logitsRef) < 1e-5, `logits ${relErr(logits.data, logitsRef)}`);
      const active = (v: Float64Array, t: number) => v.filter((a) => a > 0 && a < t).length;
      assert.ok(active(c1, t0) > 20 && active(h, t3) > 2, 'the rates are neither all 0 nor all 1 (the test can fail)');
      backward(logits, Float32Array.from(r));
      assert.ok(relErr(x.grad!, dxRef) < 1e-4, `input gradient ${relErr(x.grad!, dxRef)}`);
      // thresholds are constants of this pass; ReLU is another network
      assert.equal(model.params.get('threshold.t0')!.grad, null);
      assert.ok(relErr(model.forwardAnn(new Tensor(x01, [b, 2, 6, 6])).data, logitsRef) > 1e-2);
    }));
  }
});

test('a ResNet takes the threshold-scaled ANN pass too (every neuron between 0 and 1)', () => {
  const spec = resnetSpec('resnet12', { labels: 4, widths: [4, 4, 8, 8], stem: [4, 4, 4], inChannels: 2, imageSize: 8 });
  const model = buildModel(spec, NORM, seeded(5));
  const x = new Tensor(Float32Array.from({ length: 2 * 2 * 64 }, (_, i) => (i % 7) / 7), [2, 2, 8, 8]);
  const scaled = model.forwardAnn(x, { activation: 'threshold-scaled' });
  assert.deepEqual(scaled.shape, [2, 4]);
  assert.ok(scaled.data.every(Number.isFinite));
  // the output layer reads rates in [0, 1]: its logits are bounded by the row sums of |W|
  const out = model.params.get('classifier.0.weight')!;
  const inF = out.shape[1];
  for (let o = 0; o < 4; o++) {
    let bound = 0;
    for (let i = 0; i < inF; i++) bound += Math.abs(out.data[o * inF + i]);
    for (let n = 0; n < 2; n++) assert.ok(Math.abs(scaled.data[n * 4 + o]) <= bound * (1 + 1e-6));
  }
});
