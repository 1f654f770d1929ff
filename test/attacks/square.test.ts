/** Square Attack: inside the eps-ball and [0,1], within its query budget, breaks a linear model, seeded. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAttack } from '../../src/attacks/registry.js';
import { squareShare } from '../../src/attacks/square.js';
import { predict, margins } from '../../src/attacks/base.js';
import { subBatch } from '../../src/attacks/per-sample.js';
import { Rng } from '../../src/data/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import type { ForwardOptions } from '../../src/snn/model.js';
import { linearModel, linearTarget, randomBatch, worstCase, assertInBall } from '../helpers/linear-model.js';
import { fixtureTarget } from './helpers.js';

describe('Square on a linear model', () => {
  const { model, batch, ctx } = linearTarget(linearModel(2, [3, 6, 6], 21, 0.3), 16, 22);
  const eps = 0.05;
  const worst = worstCase(model, batch.x01, batch.labels, eps);

  test('the eps splits the batch', () => {
    const count = worst.margins.filter((m) => m < 0).length;
    assert.ok(count >= 4 && count <= 12, `${count} of 16 breakable`);
  });

  test('breaks the clearly breakable samples, inside the ball and [0,1], within the budget', () => {
    model.imagesSeen = 0;
    const adv = createAttack('square', { epsilon: eps, queries: 400 }, new Rng(1)).perturb(ctx, batch);
    assert.ok(model.imagesSeen <= 16 * 400, `${model.imagesSeen} forwards for 16 images x 400 queries`);
    assertInBall(adv, batch.x01, eps);
    const m = margins(predict(ctx, adv, batch.shape), batch.labels, 2);
    m.forEach((v, b) => {
      if (worst.margins[b] < -0.2) assert.ok(v < 0, `sample ${b}: margin ${v}, worst case ${worst.margins[b]}`);
      if (worst.margins[b] >= 0) assert.ok(v >= worst.margins[b] - 1e-5, `sample ${b} below the closed-form optimum: ${v} < ${worst.margins[b]}`);
    });
  });

  test('one image never takes more forwards than its budget; an image that breaks stops', () => {
    for (const queries of [1, 2, 37]) {
      const one = subBatch(batch, [worst.margins.findIndex((m) => m >= 0)]);
      model.imagesSeen = 0;
      createAttack('square', { epsilon: eps, queries }, new Rng(2)).perturb(ctx, one);
      assert.equal(model.imagesSeen, queries, `budget ${queries}`);
    }
    model.imagesSeen = 0;
    createAttack('square', { epsilon: 0.5, queries: 1000 }, new Rng(2)).perturb(ctx, batch);
    assert.ok(model.imagesSeen < 16 * 50, `${model.imagesSeen} forwards at eps 0.5`);
  });

  test('no query is wasted on a candidate equal to the current best', () => {
    // one channel, 4x4: late windows are 1x1, so without redrawing half the candidates would repeat the best
    const grey = linearModel(2, [1, 4, 4], 23, 0.05);
    const seen: Float32Array[] = [];
    const recording = { ...grey, forward: (x: Tensor, o: ForwardOptions) => (seen.push(Float32Array.from(x.data)), grey.forward(x, o)) };
    const one = randomBatch(grey, 1, 24);
    const queries = 200;
    createAttack('square', { epsilon: 0.01, queries }, new Rng(3)).perturb({ model: recording, timesteps: 1 }, one);
    assert.equal(seen.length, queries, 'the image broke early: the test would see fewer candidates');
    let best = seen[0];
    let bestMargin = margins(predict({ model: grey, timesteps: 1 }, best, one.shape), one.labels, 2)[0];
    for (let q = 1; q < queries; q++) {
      assert.notDeepEqual(seen[q], best, `query ${q} repeats the current best`);
      const m = margins(predict({ model: grey, timesteps: 1 }, seen[q], one.shape), one.labels, 2)[0];
      if (m < bestMargin) [best, bestMargin] = [seen[q], m];
    }
  });

  test('the p schedule: 0.8, halved at the paper\'s points of a 10,000-query budget, rescaled', () => {
    assert.equal(squareShare(0, 10000), 0.8);
    assert.equal(squareShare(10, 10000), 0.8);
    assert.equal(squareShare(11, 10000), 0.4);
    assert.equal(squareShare(500, 10000), 0.8 / 8);
    assert.equal(squareShare(9999, 10000), 0.8 / 512);
    assert.equal(squareShare(250, 5000), 0.8 / 8);
  });

  test('negative or fractional budgets are option errors', () => {
    assert.throws(() => createAttack('square', { epsilon: eps, queries: -5 }, new Rng(1)), /Square queries must be a whole number >= 1, got -5/);
    assert.throws(() => createAttack('square', { epsilon: eps, queries: 0.5 }, new Rng(1)), /Square queries must be a whole number >= 1/);
  });
});

describe('Square on a Poisson-encoded (stochastic) linear model, with EOT', () => {
  const model = linearModel(2, [1, 4, 4], 25, 0.3);
  const batch = randomBatch(model, 8, 26);
  const ctx = (eot: number, seed = 7) => ({ model, timesteps: 8, encoding: 'poisson' as const, rng: new Rng(seed), eot });
  const robustIndex = worstCase(model, batch.x01, batch.labels, 0.01).margins.findIndex((m) => m > 0.2);
  const robust = subBatch(batch, robustIndex < 0 ? [] : [robustIndex]);

  test('each candidate costs EOT draws; the budget is never exceeded', () => {
    assert.equal(robust.labels.length, 1, 'no clearly robust image: the budget would not be used up');
    for (const [eot, queries, forwards] of [[1, 40, 40], [4, 40, 40], [4, 42, 40], [5, 5, 5]]) {
      model.imagesSeen = 0;
      createAttack('square', { epsilon: 0.01, queries }, new Rng(2)).perturb(ctx(eot), robust);
      assert.equal(model.imagesSeen, forwards, `EOT ${eot}, budget ${queries}`);
    }
    assert.throws(() => createAttack('square', { epsilon: 0.01, queries: 3 }, new Rng(2)).perturb(ctx(4), robust), /Square with EOT 4 needs at least 4 queries per image, got 3/);
  });

  test('seeded by the attack and the draws; stays in the ball and [0,1]', () => {
    const run = (seed: number) => createAttack('square', { epsilon: 0.05, queries: 60 }, new Rng(3)).perturb(ctx(3, seed), batch);
    const a = run(1);
    assert.deepEqual(run(1), a);
    assert.notDeepEqual(run(2), a);
    a.forEach((v, i) => assert.ok(v >= 0 && v <= 1 && Math.abs(v - batch.x01[i]) <= Math.fround(0.05) + 1e-7, `pixel ${i}`));
  });
});

describe('Square on the tiny spiking VGG', () => {
  test('seeded: the same seed, the same images; it moves toward misclassification', () => {
    const t = fixtureTarget();
    const run = (seed: number) => createAttack('square', { epsilon: 0.031, queries: 30 }, new Rng(seed)).perturb(t.ctx, t.batch);
    const a = run(4);
    assert.deepEqual(run(4), a);
    assert.notDeepEqual(run(5), a);
    const clean = margins(predict(t.ctx, t.batch.x01, t.batch.shape), t.batch.labels, 10);
    const adv = margins(predict(t.ctx, a, t.batch.shape), t.batch.labels, 10);
    assert.ok(adv.some((m, b) => m < clean[b]), 'no sample moved toward misclassification');
  });
});
