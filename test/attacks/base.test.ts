/** The attacks' shared base: the input gradient (with EOT), predictions and margins. */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, backward } from '../../src/tensor/tensor.js';
import { crossEntropy } from '../../src/tensor/ops/cross-entropy.js';
import { inputGradient, predict, margins, expectedLogits } from '../../src/attacks/base.js';
import { Rng } from '../../src/data/rng.js';
import { fixtureTarget, type FixtureTarget } from './helpers.js';
import { linearModel, randomBatch } from '../helpers/linear-model.js';

describe('attack base on the tiny VGG fixture', () => {
  let t: FixtureTarget;
  let plain: { grad: Float32Array; loss: number };
  before(() => {
    t = fixtureTarget();
    // the gradient spelled out, as a user of the model would take it
    const x = new Tensor(Float32Array.from(t.batch.x01), t.batch.shape, { requiresGrad: true });
    const loss = crossEntropy(t.model.forward(x, { timesteps: t.ctx.timesteps }).logits, t.batch.labels);
    backward(loss);
    plain = { grad: Float32Array.from(x.grad!), loss: loss.item() };
    for (const p of t.model.params.values()) p.grad = null;
  });

  test('the input gradient matches the fixture and leaves the parameters alone', () => {
    const { grad, loss } = inputGradient(t.ctx, t.batch.x01, t.batch);
    assert.deepEqual(grad, plain.grad);
    assert.ok(Math.abs(loss - plain.loss) <= 1e-6 * plain.loss);
    assert.ok(grad.some((g) => g !== 0));
    for (const p of t.model.params.values()) assert.equal(p.grad, null);
  });

  test('EOT with one sample is exactly the plain gradient; N samples of a deterministic forward too', () => {
    const one = inputGradient({ ...t.ctx, eot: 1 }, t.batch.x01, t.batch);
    assert.deepEqual(one.grad, plain.grad);
    const three = inputGradient({ ...t.ctx, eot: 3 }, t.batch.x01, t.batch);
    // the mean of three identical float32 values, summed in float64, is exactly the value again
    assert.deepEqual(three.grad, plain.grad);
    three.losses.forEach((v, i) => assert.ok(Math.abs(v - one.losses[i]) <= 1e-15 * one.losses[i]));
    assert.deepEqual(three.logits, one.logits);
    assert.throws(() => inputGradient({ ...t.ctx, eot: 0 }, t.batch.x01, t.batch), /EOT samples must be a whole number >= 1, got 0/);
  });

  test('a Poisson-encoded context without a generator is one clear error', () => {
    const ctx = { ...t.ctx, encoding: 'poisson' as const };
    assert.throws(() => predict(ctx, t.batch.x01, t.batch.shape), /Poisson encoding needs a random generator/);
    assert.throws(() => inputGradient(ctx, t.batch.x01, t.batch), /Poisson encoding needs a random generator/);
  });

  test('predict gives the forward\'s logits and margins their sign', () => {
    const logits = predict(t.ctx, t.batch.x01, t.batch.shape);
    const ref = t.fixture.case.get('logits')!.data;
    logits.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) <= 1e-4 * (1 + Math.abs(ref[i])), `logit ${i}`));
    const m = margins(logits, t.batch.labels, 10);
    for (let b = 0; b < m.length; b++) {
      const row = Array.from(logits.subarray(b * 10, b * 10 + 10));
      const y = t.batch.labels[b];
      assert.equal(m[b] > 0, row.every((v, j) => j === y || v < row[y]));
    }
  });

  test('margins by hand: correct, wrong, tied', () => {
    const m = margins([3, 1, 2, /**/ 0, 5, 1, /**/ 2, 2, 0], [0, 0, 1], 3);
    assert.deepEqual(Array.from(m), [1, -5, 0]);
  });
});

describe('EOT on a Poisson-encoded linear model', () => {
  const model = linearModel(3, [1, 4, 4], 5);
  const batch = randomBatch(model, 6, 6);
  const ctx = (seed: number, eot?: number) => ({ model, timesteps: 8, encoding: 'poisson' as const, rng: new Rng(seed), eot });

  test('the image gets a gradient through the spikes; N draws average exactly N single draws', () => {
    const single = inputGradient(ctx(1), batch.x01, batch).grad;
    assert.ok(single.some((g) => g !== 0), 'no gradient reaches a Poisson-encoded image');
    assert.deepEqual(inputGradient(ctx(1, 1), batch.x01, batch).grad, single);
    const shared = ctx(2);
    const draws = Array.from({ length: 4 }, () => inputGradient(shared, batch.x01, batch).grad);
    const mean = Float32Array.from(single, (_, i) => draws.reduce((s, g) => s + g[i], 0) / 4);
    assert.deepEqual(inputGradient(ctx(2, 4), batch.x01, batch).grad, mean);
  });

  test('expected logits: EOT 1 is one forward, N the mean of N draws', () => {
    assert.deepEqual(expectedLogits(ctx(1, 1), batch.x01, batch.shape), predict(ctx(1), batch.x01, batch.shape));
    const shared = ctx(2);
    const draws = Array.from({ length: 3 }, () => predict(shared, batch.x01, batch.shape));
    const mean = Float32Array.from(draws[0], (_, i) => draws.reduce((s, d) => s + d[i], 0) / 3);
    assert.deepEqual(expectedLogits(ctx(2, 3), batch.x01, batch.shape), mean);
    assert.notDeepEqual(mean, draws[0]);
  });

  test('more samples, closer to the expected gradient', () => {
    const reference = inputGradient(ctx(3, 512), batch.x01, batch).grad;
    const distance = (g: Float32Array) => Math.hypot(...g.map((v, i) => v - reference[i]));
    const [d1, d32] = [distance(inputGradient(ctx(4, 1), batch.x01, batch).grad), distance(inputGradient(ctx(4, 32), batch.x01, batch).grad)];
    assert.ok(d32 < d1 / 3, `EOT 32 is ${d32} from the 512-draw mean, one draw ${d1}`);
  });
});
