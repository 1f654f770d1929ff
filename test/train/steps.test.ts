/**
 * Training steps on the PyTorch golden fixture (vgg5-tiny-c10, dropout 0 so train mode equals
 * eval mode): a `snn` step under plain SGD moves every parameter by exactly lr x the fixture's
 * gradient (leaks clamped to <= 1), and a HIRE step equals, by its definition, N period updates
 * computed by hand (weights after the step, the crafted input of every period).
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, backward } from '../../src/tensor/tensor.js';
import { crossEntropy } from '../../src/tensor/ops/cross-entropy.js';
import { Sgd } from '../../src/tensor/optim/sgd.js';
import { Adam } from '../../src/tensor/optim/adam.js';
import { buildModel } from '../../src/snn/build.js';
import { loadStateDict } from '../../src/io/spec-keys.js';
import type { SpikingModel } from '../../src/snn/model.js';
import { snnStep } from '../../src/train/snn-step.js';
import { hireStep, craftNextInput, noiseEpsilonAt, type HireStepOptions } from '../../src/train/hire-step.js';
import { annStep } from '../../src/train/ann.js';
import { Rng } from '../../src/data/rng.js';
import { resnetSpec } from '../../src/snn/resnet-presets.js';
import { makeOptimizer } from '../../src/train/step-common.js';
import { countCorrect } from '../../src/eval/accuracy.js';
import { loadFixture, vggSpecOf, relErr, type Fixture } from '../helpers/fixtures.js';

const NAME = 'vgg5-tiny-c10';

function modelOf(f: Fixture): SpikingModel {
  const model = buildModel({ ...vggSpecOf(f.meta), dropout: 0 }, f.meta.normalization);
  loadStateDict(model, f.weights, NAME);
  return model;
}

function snapshot(model: SpikingModel): Map<string, Float32Array> {
  return new Map([...model.params].map(([k, p]) => [k, Float32Array.from(p.data)]));
}

function batchOf(f: Fixture) {
  const x = f.case.get('x01')!;
  return { x01: Float32Array.from(x.data), shape: x.shape, labels: Int32Array.from(f.case.get('labels')!.data) };
}

/** the hand-made reference: one period = forward over `steps`, mean CE (of `previous` + the output when given), backward, p -= lr * g, leaks clamped */
function periodByHand(
  model: SpikingModel, x01: Float32Array, shape: readonly number[], labels: ArrayLike<number>, steps: number, lr: number,
  membrane?: { from?: Map<number, Float32Array>; to?: (m: Map<number, Float32Array>) => void },
  extra: { previous?: Float32Array; logits?: (l: Float32Array) => void; update?: boolean } = {},
): Float32Array {
  for (const p of model.params.values()) p.grad = null;
  const x = new Tensor(Float32Array.from(x01), shape, { requiresGrad: true });
  const { logits, finalMembrane } = model.forward(x, {
    timesteps: steps, train: true, rng: new Rng(0), initialMembrane: membrane?.from, captureMembrane: membrane?.to !== undefined,
  });
  if (membrane?.to) membrane.to(finalMembrane!);
  extra.logits?.(Float32Array.from(logits.data));
  if (extra.previous) {
    // d CE(prev + l) / dl = d CE / d(prev + l): the hand-made sum passes its gradient on to the logits
    const scored = new Tensor(Float32Array.from(logits.data, (v, i) => v + extra.previous![i]), logits.shape, { requiresGrad: true });
    backward(crossEntropy(scored, labels));
    backward(logits, scored.grad!);
  } else {
    backward(crossEntropy(logits, labels));
  }
  if (extra.update !== false) sgdByHand(model, lr);
  return x.grad!;
}

function sgdByHand(model: SpikingModel, lr: number, scale = 1): void {
  for (const [k, p] of model.params) {
    for (let i = 0; i < p.size; i++) p.data[i] = p.data[i] - lr * (scale * p.grad![i]);
    if (k.startsWith('leak.')) p.data[0] = Math.min(1, p.data[0]);
  }
}

const argmax = (v: Float32Array) => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);

const fgsmByHand = (x: Float32Array, g: Float32Array, eps: number) =>
  Float32Array.from(x, (v, i) => Math.min(1, Math.max(0, Math.fround(v + Math.fround(eps) * Math.sign(g[i])))));

function assertSameParams(a: SpikingModel, b: SpikingModel): void {
  for (const [k, p] of a.params) assert.deepEqual(p.data, b.params.get(k)!.data, k);
}

describe(`training steps on ${NAME}`, () => {
  let f: Fixture;
  before(() => {
    f = loadFixture(NAME);
  });

  test('snn step with SGD moves every parameter by exactly lr x the fixture gradient (leaks clamped to <= 1)', () => {
    const model = modelOf(f);
    const before = snapshot(model);
    const lr = 10; // large enough that leak.l12 (0.96, gradient -0.0045) crosses 1 and is clamped
    const r = snnStep(model, new Sgd(model.params, { lr }), batchOf(f), { timesteps: f.meta.timesteps, rng: new Rng(0) });
    assert.ok(Math.abs(r.loss - f.meta.loss.value) < 1e-5, `loss ${r.loss} vs ${f.meta.loss.value}`);
    let clamped = 0;
    for (const [k, p] of model.params) {
      const g = f.case.get(`grad.${k}`)!.data;
      const old = before.get(k)!;
      if (k.startsWith('leak.')) {
        const free = Math.fround(old[0] - lr * g[0]);
        if (free > 1) clamped++;
        assert.ok(Math.abs(p.data[0] - Math.min(1, free)) < 1e-6, `${k}: ${p.data[0]} vs ${Math.min(1, free)}`);
        continue;
      }
      if (p.size === 1) {
        // a scalar threshold: float32 rounding of the parameter dominates for tiny gradients
        const want = Math.fround(old[0] - lr * g[0]);
        assert.ok(Math.abs(p.data[0] - want) <= 1e-3 * lr * Math.abs(g[0]) + 2e-7 * Math.abs(old[0]), `${k}: ${p.data[0]} vs ${want}`);
        continue;
      }
      const implied = Float64Array.from(p.data, (v, i) => (old[i] - v) / lr);
      assert.ok(relErr(implied, g) < 1e-4, `${k}: implied gradient off by ${relErr(implied, g)}`);
    }
    assert.equal(clamped, 1, 'the clamp was exercised once');
  });

  test('HIRE step (T=4, N=2) equals two period updates computed by hand, including the crafted input', () => {
    const lr = 0.5;
    const eps = 8 / 255;
    const batch = batchOf(f);
    const viaStep = modelOf(f);
    const r = hireStep(viaStep, new Sgd(viaStep.params, { lr }), batch, { timesteps: 4, periods: 2, epsilon: eps, dropoutSeed: 1 });

    const byHand = modelOf(f);
    let l1: Float32Array | undefined;
    const gx1 = periodByHand(byHand, batch.x01, batch.shape, batch.labels, 2, lr, undefined, { logits: (l) => (l1 = l) });
    const x2 = new Float32Array(batch.x01.length);
    for (let i = 0; i < x2.length; i++) {
      const s = gx1[i] > 0 ? 1 : gx1[i] < 0 ? -1 : 0;
      x2[i] = Math.min(1, Math.max(0, Math.fround(batch.x01[i] + Math.fround(eps) * s)));
    }
    periodByHand(byHand, x2, batch.shape, batch.labels, 2, lr);

    assert.equal(r.inputs.length, 2);
    assert.deepEqual(r.inputs[0], batch.x01, 'period 1 sees the clean image');
    assert.deepEqual(r.inputs[1], x2, 'period 2 input = clip(x + eps sign(grad x))');
    assertSameParams(viaStep, byHand);
    // the crafted input really is a perturbation: within eps, in [0,1], mostly moved
    let moved = 0;
    for (let i = 0; i < x2.length; i++) {
      assert.ok(Math.abs(x2[i] - batch.x01[i]) <= Math.fround(eps) + 1e-7 && x2[i] >= 0 && x2[i] <= 1);
      if (x2[i] !== batch.x01[i]) moved++;
    }
    assert.ok(moved > 0.5 * x2.length, `only ${moved} of ${x2.length} pixels moved`);
    assert.equal(r.periodLosses.length, 2);
    // the logged accuracy counts the clean first period's output as it was before the period's update
    assert.equal(r.correct, countCorrect(l1!, batch.labels, byHand.spec.labels));
  });

  test('HIRE logs the accuracy of the clean first period before its update (labels = its predictions: all correct)', () => {
    const batch = batchOf(f);
    const model = modelOf(f);
    const clean = model.forward(new Tensor(Float32Array.from(batch.x01), batch.shape), { timesteps: 2, train: true, rng: new Rng(0) }).logits.data;
    const classes = model.spec.labels;
    const labels = Int32Array.from(batch.labels, (_, i) => argmax(clean.subarray(i * classes, (i + 1) * classes)));
    const r = hireStep(model, new Sgd(model.params, { lr: 0.5 }), { ...batch, labels }, { timesteps: 4, periods: 2, epsilon: 8 / 255, dropoutSeed: 0 });
    assert.equal(r.correct, labels.length);
  });

  test('HIRE --carry-membrane: period 2 starts from the membrane period 1 left', () => {
    const lr = 0.5; // a power of two: lr * g is exact in float32 and in double alike
    const eps = 0.031;
    const batch = batchOf(f);
    const viaStep = modelOf(f);
    const r = hireStep(viaStep, new Sgd(viaStep.params, { lr }), batch, { timesteps: 4, periods: 2, epsilon: eps, dropoutSeed: 0, carryMembrane: true });
    const byHand = modelOf(f);
    let state: Map<number, Float32Array> | undefined;
    const gx1 = periodByHand(byHand, batch.x01, batch.shape, batch.labels, 2, lr, { to: (m) => (state = m) });
    const x2 = Float32Array.from(batch.x01, (v, i) => Math.min(1, Math.max(0, Math.fround(v + Math.fround(eps) * Math.sign(gx1[i])))));
    assert.equal(state!.size, byHand.spikingLayers().length);
    periodByHand(byHand, x2, batch.shape, batch.labels, 2, lr, { from: state });
    assert.deepEqual(r.inputs[1], x2);
    assertSameParams(viaStep, byHand);
    const fromRest = modelOf(f);
    hireStep(fromRest, new Sgd(fromRest.params, { lr }), batch, { timesteps: 4, periods: 2, epsilon: eps, dropoutSeed: 0 });
    assert.notDeepEqual(fromRest.params.get('features.0.weight')!.data, viaStep.params.get('features.0.weight')!.data, 'the carried state changes period 2');
  });

  test('HIRE variants (T=4, N=2) equal their definitions computed by hand', () => {
    const lr = 0.5; // a power of two: lr * g and g / 2 are exact in float32 and in double alike
    const eps = 8 / 255;
    const batch = batchOf(f);
    const { x01, shape, labels } = batch;
    const viaStep = (o: Partial<HireStepOptions>) => {
      const model = modelOf(f);
      const r = hireStep(model, new Sgd(model.params, { lr }), batch, { timesteps: 4, periods: 2, epsilon: eps, dropoutSeed: 0, ...o });
      return { model, r };
    };

    // carried membrane + cumulative loss: period 2's loss is on the 4-step output (period 1's part a constant)
    const cum = viaStep({ carryMembrane: true, loss: 'cumulative' });
    const a = modelOf(f);
    let state: Map<number, Float32Array> | undefined;
    let l1: Float32Array | undefined;
    const gx1 = periodByHand(a, x01, shape, labels, 2, lr, { to: (m) => (state = m) }, { logits: (l) => (l1 = l) });
    const x2 = fgsmByHand(x01, gx1, eps);
    periodByHand(a, x2, shape, labels, 2, lr, { from: state }, { previous: l1 });
    assert.deepEqual(cum.r.inputs[1], x2);
    assertSameParams(cum.model, a);
    const periodOnly = viaStep({ carryMembrane: true });
    assert.notDeepEqual(periodOnly.model.params.get('features.0.weight')!.data, cum.model.params.get('features.0.weight')!.data, 'the cumulative loss changes period 2');
    assert.ok(cum.r.periodLosses[1] !== periodOnly.r.periodLosses[1]);

    // noise after the update: period 1's input gradient again, on the weights period 1 left
    const after = viaStep({ timing: 'after-update', carryMembrane: true });
    const b = modelOf(f);
    periodByHand(b, x01, shape, labels, 2, lr);
    const gAfter = periodByHand(b, x01, shape, labels, 2, lr, { to: (m) => (state = m) }, { update: false });
    const x2after = fgsmByHand(x01, gAfter, eps);
    periodByHand(b, x2after, shape, labels, 2, lr, { from: state });
    assert.deepEqual(after.r.inputs[1], x2after);
    assert.notDeepEqual(x2after, x2, 'the updated weights give other noise');
    assertSameParams(after.model, b);

    // one update per batch on the mean of the two periods' gradients (both at the starting weights)
    const once = viaStep({ update: 'per-batch' });
    const c = modelOf(f);
    const g0 = periodByHand(c, x01, shape, labels, 2, lr, undefined, { update: false });
    const first = new Map([...c.params].map(([k, p]) => [k, Float32Array.from(p.grad!)]));
    const x2once = fgsmByHand(x01, g0, eps);
    periodByHand(c, x2once, shape, labels, 2, lr, undefined, { update: false });
    for (const [k, p] of c.params) p.grad = Float32Array.from(p.grad!, (g, i) => first.get(k)![i] / 2 + g / 2);
    sgdByHand(c, lr);
    assert.deepEqual(once.r.inputs[1], x2once);
    assertSameParams(once.model, c);
    assert.throws(() => viaStep({ update: 'per-batch', timing: 'after-update' }), /needs an update per period/);
  });

  test('noise warm-up: the step grows linearly over the warm-up epochs, then stays', () => {
    assert.equal(noiseEpsilonAt(0.03, 0, 0, 0, 10), 0.03);
    assert.equal(noiseEpsilonAt(0.03, 2, 0, 0, 10), 0);
    assert.ok(Math.abs(noiseEpsilonAt(0.03, 2, 1, 5, 10) - 0.0225) < 1e-12);
    assert.equal(noiseEpsilonAt(0.03, 2, 2, 0, 10), 0.03);
    assert.equal(noiseEpsilonAt(0.03, 0.5, 3, 7, 10), 0.03);
  });

  test('HIRE with one period is the snn step; with momentum/Adam the optimizer steps once per period', () => {
    const batch = batchOf(f);
    const a = modelOf(f);
    const b = modelOf(f);
    hireStep(a, new Adam(a.params, { lr: 1e-3, amsgrad: true }), batch, { timesteps: 4, periods: 1, epsilon: 0.03, dropoutSeed: 0 });
    snnStep(b, new Adam(b.params, { lr: 1e-3, amsgrad: true }), batch, { timesteps: 4, rng: new Rng(0) });
    assertSameParams(a, b);

    const viaStep = modelOf(f);
    const opt = new Sgd(viaStep.params, { lr: 0.1, momentum: 0.9 });
    hireStep(viaStep, opt, batch, { timesteps: 4, periods: 2, epsilon: 0.03, dropoutSeed: 0 });
    assert.equal(opt.stateDict().step, 2);
  });

  test('noise modes: from-clean restarts from x, cumulative accumulates; projection keeps inputs in the ball', () => {
    const clean = Float32Array.of(0.5, 0.5, 0.0, 1.0);
    const current = Float32Array.of(0.6, 0.4, 0.0, 1.0);
    const grad = Float32Array.of(1, 1, -1, 1);
    assert.deepEqual(craftNextInput(clean, current, grad, { epsilon: 0.1, noiseMode: 'from-clean' }), Float32Array.of(0.6, 0.6, 0, 1));
    assert.deepEqual(craftNextInput(clean, current, grad, { epsilon: 0.1, noiseMode: 'cumulative' }), Float32Array.of(Math.fround(current[0] + Math.fround(0.1)), Math.fround(current[1] + Math.fround(0.1)), 0, 1));
    const projected = craftNextInput(clean, current, grad, { epsilon: 0.1, noiseMode: 'cumulative', project: 0.05 });
    assert.deepEqual(projected, Float32Array.of(Math.fround(0.55), Math.fround(0.5), 0, 1));

    // four periods of one step: every crafted input stays within the projection ball
    const batch = batchOf(f);
    const model = modelOf(f);
    const r = hireStep(model, new Sgd(model.params, { lr: 0.01 }), batch, { timesteps: 4, periods: 4, epsilon: 0.02, project: 0.03, dropoutSeed: 0 });
    assert.equal(r.inputs.length, 4);
    for (const x of r.inputs) for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - batch.x01[i]) <= 0.03 + 1e-6);
  });

  test('HIRE rejects T not divisible by the periods', () => {
    const model = modelOf(f);
    assert.throws(() => hireStep(model, new Sgd(model.params, { lr: 0.1 }), batchOf(f), { timesteps: 5, periods: 2, epsilon: 0.03, dropoutSeed: 0 }), /cannot be split/);
  });

  test('ann step: thresholds and leaks are untouched, weights move', () => {
    const model = modelOf(f);
    const before = snapshot(model);
    annStep(model, new Sgd(model.params, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 }), batchOf(f), new Rng(0));
    for (const [k, p] of model.params) {
      if (k.startsWith('leak.') || k.startsWith('threshold.')) assert.deepEqual(p.data, before.get(k), k);
      else assert.notDeepEqual(p.data, before.get(k), k);
    }
  });
});

test('ResNet (resnet12, tiny widths): ann, snn and hire steps train every kind of parameter', () => {
  const spec = resnetSpec('resnet12', { labels: 10, widths: [4, 8, 8, 8] });
  const rng = new Rng(5);
  const x01 = new Float32Array(2 * 3072).map(() => rng.uniform());
  const batch = { x01, shape: [2, 3, 32, 32], labels: Int32Array.of(3, 7) };
  for (const method of ['ann', 'snn', 'hire'] as const) {
    const model = buildModel(spec, { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, new Rng(1));
    for (const [k, p] of model.params) if (k.startsWith('threshold.')) p.data[0] = 0.3;
    const before = snapshot(model);
    const opt = makeOptimizer(model, { name: 'adam', lr: 1e-3, momentum: 0, weightDecay: 0 });
    const r = method === 'ann' ? annStep(model, opt, batch, new Rng(2))
      : method === 'snn' ? snnStep(model, opt, batch, { timesteps: 4, rng: new Rng(2) })
        : hireStep(model, opt, batch, { timesteps: 4, periods: 2, epsilon: 8 / 255, dropoutSeed: 2 });
    assert.ok(Number.isFinite(r.loss), method);
    const moved = [...model.params].filter(([k, p]) => !p.data.every((v, i) => v === before.get(k)![i])).map(([k]) => k);
    assert.ok(moved.includes('classifier.0.weight') && moved.includes('pre_process.0.weight'), `${method}: weights move`);
    if (method !== 'ann') assert.ok(moved.some((k) => k.startsWith('threshold.')) && moved.some((k) => k.startsWith('leak.')), `${method}: thresholds and leaks move`);
    else assert.ok(!moved.some((k) => k.startsWith('threshold.') || k.startsWith('leak.')), 'ann: thresholds and leaks untouched');
  }
});

test('Poisson (rate-coded) input: seeded, so the same seed gives the same step', () => {
  const f = loadFixture(NAME);
  const lowThresholds = () => {
    // the fixture's thresholds are for the analog first layer; binary input spikes need lower ones to propagate
    const model = modelOf(f);
    for (const [k, p] of model.params) if (k.startsWith('threshold.')) p.data[0] = 0.05;
    return model;
  };
  const run = (seed: number) => {
    const model = lowThresholds();
    const r = snnStep(model, new Sgd(model.params, { lr: 0.1 }), batchOf(f), { timesteps: 4, rng: new Rng(seed), encoding: 'poisson' });
    return { loss: r.loss, w: model.params.get('features.0.weight')!.data };
  };
  const a = run(1);
  const b = run(1);
  const c = run(2);
  assert.equal(a.loss, b.loss);
  assert.deepEqual(a.w, b.w);
  assert.notEqual(a.loss, c.loss);
  // the image gets no gradient through the sampling, the first conv does (from the spikes)
  assert.notDeepEqual(a.w, snapshot(lowThresholds()).get('features.0.weight'));
});
