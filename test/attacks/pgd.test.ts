/** PGD restarts: one restart is the seed's attack; more break a superset, on the images still robust. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Pgd } from '../../src/attacks/pgd.js';
import { predict, misclassified } from '../../src/attacks/base.js';
import { Rng } from '../../src/data/rng.js';
import { linearModel, linearTarget, worstCase, assertInBall } from '../helpers/linear-model.js';

describe('PGD restarts on a linear ten-class model', () => {
  const { model, batch, ctx } = linearTarget(linearModel(10, [3, 4, 4], 31, 0.2), 32, 32);
  const eps = 0.04;
  const opts = { epsilon: eps, steps: 2, stepSize: 0.005, randomStart: true };
  const broken = (img: Float32Array) => misclassified(predict(ctx, img, batch.shape), batch.labels, 10);

  test('restarts: 1 is the attack without restarts; more restarts break a superset, never the unbreakable', () => {
    const once = new Pgd({ ...opts, rng: new Rng(1) }).perturb(ctx, batch);
    assert.deepEqual(new Pgd({ ...opts, restarts: 1, rng: new Rng(1) }).perturb(ctx, batch), once);
    model.imagesSeen = 0;
    const five = new Pgd({ ...opts, restarts: 5, rng: new Rng(1) }).perturb(ctx, batch);
    const forwards = model.imagesSeen;
    const [b1, b5] = [broken(once), broken(five)];
    const worst = worstCase(model, batch.x01, batch.labels, eps).margins;
    b1.forEach((v, i) => assert.ok(!v || b5[i], `sample ${i}`));
    b5.forEach((v, i) => assert.ok(!v || worst[i] < 0, `sample ${i} is unbreakable`));
    assert.ok(b5.reduce((s, v) => s + v, 0) > b1.reduce((s, v) => s + v, 0), 'restarts broke nothing more: make the steps weaker');
    assertInBall(five, batch.x01, eps);
    // later runs only see the images the first left robust (2 steps + 1 scoring forward each)
    const robustAfterFirst = 32 - b1.reduce((s, v) => s + v, 0);
    assert.ok(forwards <= 32 * 3 + 4 * robustAfterFirst * 3, `${forwards} images forwarded, ${robustAfterFirst} robust after the first run`);
  });
});
