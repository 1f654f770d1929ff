/** Targeted Auto-PGD: on a linear ten-class model it breaks exactly the samples that can be broken. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAttack } from '../../src/attacks/registry.js';
import { predict, margins } from '../../src/attacks/base.js';
import { Rng } from '../../src/data/rng.js';
import { linearModel, linearTarget, randomBatch, worstCase, assertInBall } from '../helpers/linear-model.js';

describe('APGD-T on a linear ten-class model', () => {
  const { model, batch, ctx } = linearTarget(linearModel(10, [3, 4, 4], 11, 0.2), 32, 12);
  const eps = 0.04;
  const worst = worstCase(model, batch.x01, batch.labels, eps);
  const breakable = Array.from(worst.margins, (m) => m < 0);

  test('the eps splits the batch', () => {
    const count = breakable.filter(Boolean).length;
    assert.ok(count > 4 && count < 28, `${count} of 32 breakable`);
  });

  test('breaks every breakable sample and stays in the ball; APGD-CE breaks no more', () => {
    const adv = createAttack('apgd-t', { epsilon: eps, steps: 20 }, new Rng(1)).perturb(ctx, batch);
    assertInBall(adv, batch.x01, eps);
    const m = margins(predict(ctx, adv, batch.shape), batch.labels, 10);
    m.forEach((v, b) => assert.equal(v < 0, breakable[b], `sample ${b}: margin ${v}, worst case ${worst.margins[b]}`));
    const ce = margins(predict(ctx, createAttack('apgd-ce', { epsilon: eps, steps: 20 }, new Rng(1)).perturb(ctx, batch), batch.shape), batch.labels, 10);
    ce.forEach((v, b) => assert.ok(!(v < 0) || breakable[b], `APGD-CE broke the unbreakable sample ${b}`));
  });

  test('fewer than four classes: one clear error', () => {
    const small = linearModel(3, [1, 2, 2], 1);
    const attack = createAttack('apgd-t', { epsilon: 0.1 }, new Rng(1));
    assert.throws(() => attack.perturb({ model: small, timesteps: 1 }, randomBatch(small, 2, 1)), /attack 'apgd-t' \(dlr-targeted loss\) needs at least 4 classes, the model has 3/);
  });
});
