/** Auto-PGD: the known optimum of a linear model, its invariants, DLR's class check, early stop, seeds. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Apgd } from '../../src/attacks/apgd.js';
import { createAttack, checkApplicable } from '../../src/attacks/registry.js';
import { crossEntropyLoss, dlrLoss } from '../../src/attacks/losses.js';
import { predict, margins } from '../../src/attacks/base.js';
import { AttackOptionError } from '../../src/attacks/options.js';
import { Rng } from '../../src/data/rng.js';
import { linearModel, linearTarget, worstCase, assertInBall } from '../helpers/linear-model.js';
import { fixtureTarget } from './helpers.js';

describe('APGD on a linear two-class model', () => {
  const { model, batch, ctx } = linearTarget(linearModel(2, [1, 4, 4], 3), 24, 4);

  for (const eps of [0.1, 0.15]) {
    test(`eps ${eps}: reaches the closed-form worst case, breaks exactly the breakable samples`, () => {
      const worst = worstCase(model, batch.x01, batch.labels, eps);
      const adv = createAttack('apgd-ce', { epsilon: eps, steps: 10 }, new Rng(1)).perturb(ctx, batch);
      assertInBall(adv, batch.x01, eps);
      const m = margins(predict(ctx, adv, batch.shape), batch.labels, 2);
      let breakable = 0;
      for (let b = 0; b < m.length; b++) {
        if (worst.margins[b] < 0) {
          breakable++;
          assert.ok(m[b] < 0, `sample ${b} is breakable (${worst.margins[b]}) but kept margin ${m[b]}`);
        } else {
          // the cross-entropy of two classes falls with the margin: its maximum is the margin's minimum
          // (to the last bit or so: the momentum step can settle one float32 step short of a corner)
          for (let i = b * 16; i < (b + 1) * 16; i++) assert.ok(Math.abs(adv[i] - worst.images[i]) < 1e-6, `sample ${b} pixel ${i}: ${adv[i]} vs ${worst.images[i]}`);
          assert.ok(Math.abs(m[b] - worst.margins[b]) < 1e-5, `sample ${b}: ${m[b]} vs ${worst.margins[b]}`);
        }
      }
      assert.ok(breakable > 0 && breakable < m.length, `${breakable} of ${m.length} breakable: the eps should split the batch`);
    });
  }

  test('a sample stops once it is misclassified', () => {
    model.imagesSeen = 0;
    createAttack('apgd-ce', { epsilon: 0.5, steps: 50 }, new Rng(1)).perturb(ctx, batch);
    // every sample breaks within a couple of steps at eps 0.5, instead of 51 gradient evaluations each
    assert.ok(model.imagesSeen <= 3 * batch.labels.length, `${model.imagesSeen} images forwarded`);
  });

  test('DLR needs three classes: one clear error', () => {
    const attack = createAttack('apgd-dlr', { epsilon: 0.03 }, new Rng(1));
    assert.throws(() => attack.perturb(ctx, batch), (e: Error) =>
      e instanceof AttackOptionError && e.message === "attack 'apgd-dlr' (dlr loss) needs at least 3 classes, the model has 2");
    assert.throws(() => checkApplicable('apgd-dlr', { classes: 2, stochastic: false }), /attack 'apgd-dlr' needs at least 3 classes, the model has 2/);
  });
});

describe('APGD never ends below its start loss', () => {
  test('linear ten-class model, cross-entropy and DLR', () => {
    const { batch, ctx } = linearTarget(linearModel(10, [3, 4, 4], 7, 0.2), 16, 8);
    for (const loss of [crossEntropyLoss, dlrLoss]) {
      const run = new Apgd('apgd', { epsilon: 0.03, steps: 20, restarts: 1, loss, rng: new Rng(2) }).runOnce(ctx, batch);
      const at = (img: Float32Array) => loss.evaluate(predict(ctx, img, batch.shape), batch.labels, 10).values;
      const [end, start] = [at(run.adv), at(run.start)];
      for (let b = 0; b < 16; b++) {
        assert.ok(end[b] >= start[b], `${loss.name} sample ${b}: ${end[b]} < start ${start[b]}`);
        assert.ok(Math.abs(end[b] - run.bestLosses[b]) <= 1e-6 * (1 + Math.abs(end[b])), `${loss.name} sample ${b}: reported ${run.bestLosses[b]}, is ${end[b]}`);
      }
      assert.ok(end.some((v, b) => v > start[b] + 1e-3), `${loss.name}: no sample gained`);
    }
  });

  test('tiny spiking VGG', () => {
    const t = fixtureTarget();
    const run = new Apgd('apgd-ce', { epsilon: 0.01, steps: 6, restarts: 1, loss: crossEntropyLoss, rng: new Rng(3) }).runOnce(t.ctx, t.batch);
    assertInBall(run.adv, t.batch.x01, 0.01);
    const at = (img: Float32Array) => crossEntropyLoss.evaluate(predict(t.ctx, img, t.batch.shape), t.batch.labels, 10).values;
    const [end, start] = [at(run.adv), at(run.start)];
    end.forEach((v, b) => assert.ok(run.broken[b] || v >= start[b], `sample ${b}: ${v} < start ${start[b]}`));
  });
});

describe('APGD determinism and restarts on the tiny spiking VGG', () => {
  test('the same seed, the same images; more restarts break a superset', () => {
    const t = fixtureTarget();
    const run = (restarts: number, seed: number) => createAttack('apgd-ce', { epsilon: 0.005, steps: 4, restarts }, new Rng(seed)).perturb(t.ctx, t.batch);
    const once = run(1, 9);
    assert.deepEqual(run(1, 9), once);
    assert.notDeepEqual(run(1, 10), once);
    const broken = (img: Float32Array) => margins(predict(t.ctx, img, t.batch.shape), t.batch.labels, 10).map((m) => (m < 0 ? 1 : 0));
    const [b1, b3] = [broken(once), broken(run(3, 9))];
    b1.forEach((v, i) => assert.ok(!v || b3[i], `sample ${i} broken by one run but not by three`));
  });
});
