/**
 * The surrogate ensemble on the tiny spiking VGG: it breaks every image any of its members breaks
 * alone, names the first member that did, and the surrogate reaches the LIF backward.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { SurrogateEnsemble } from '../../src/attacks/ensemble.js';
import { DEFAULT_ENSEMBLE, formatSurrogate } from '../../src/attacks/surrogates.js';
import { attackSpec, createAttack, describeAttack } from '../../src/attacks/registry.js';
import { inputGradient, predict, misclassified, type Batch } from '../../src/attacks/base.js';
import { Rng } from '../../src/data/rng.js';
import { subBatch } from '../../src/attacks/per-sample.js';
import { fixtureTarget, calibrationBatch, type FixtureTarget } from './helpers.js';
import { assertInBall } from '../helpers/linear-model.js';

describe('surrogate ensemble on the tiny spiking VGG', () => {
  let t: FixtureTarget;
  let batch: Batch;
  const eps = 0.0005;
  // three members of different kinds keep this in seconds
  const members = [DEFAULT_ENSEMBLE[0], DEFAULT_ENSEMBLE[3], DEFAULT_ENSEMBLE[5]];
  const run = (surrogates = members) => {
    const attack = new SurrogateEnsemble({ epsilon: eps, steps: 3, restarts: 1, surrogates, rng: new Rng(7) });
    const adv = attack.perturb(t.ctx, batch);
    return { adv, broken: misclassified(predict(t.ctx, adv, batch.shape), batch.labels, 10), brokenBy: attack.brokenBy };
  };

  before(() => {
    t = fixtureTarget();
    batch = subBatch(calibrationBatch(t), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('the surrogate reaches the backward: each member gives its own input gradient', () => {
    const grads = DEFAULT_ENSEMBLE.map((surrogate) => inputGradient({ ...t.ctx, surrogate }, t.batch.x01, t.batch).grad);
    assert.deepEqual(grads[0], inputGradient(t.ctx, t.batch.x01, t.batch).grad, 'pwl:1 is the model\'s own surrogate');
    for (let i = 1; i < grads.length; i++) assert.notDeepEqual(grads[i], grads[0], formatSurrogate(DEFAULT_ENSEMBLE[i]));
  });

  test('breaks what any member breaks alone, and names the first member that did', () => {
    const all = run();
    const alone = members.map((m) => run([m]).broken);
    const count = all.broken.reduce((s, v) => s + v, 0);
    assert.ok(count > 0 && count < batch.labels.length, `${count} of ${batch.labels.length} broken: the eps should split the batch`);
    for (let i = 0; i < batch.labels.length; i++) {
      const first = alone.findIndex((b) => b[i]);
      assert.equal(all.broken[i], first >= 0 ? 1 : 0, `image ${i}: ensemble ${all.broken[i]}, members ${alone.map((b) => b[i]).join('')}`);
      assert.equal(all.brokenBy[i], first >= 0 ? formatSurrogate(members[first]) : null, `image ${i}`);
    }
    assertInBall(all.adv, batch.x01, eps);
    assert.ok(alone.some((b) => b.some((v, i) => v !== alone[0][i])), 'every member broke the same images: the test cannot tell them apart');
  });

  test('registry entry: default members by name, an empty list is an error', () => {
    assert.deepEqual(attackSpec('ensemble').resolve({ epsilon: 0.03 }),
      { epsilon: 0.03, steps: 50, restarts: 1, surrogates: ['pwl:1', 'pwl:0.5', 'pwl:2', 'exp:1', 'ste', 'rate'] });
    assert.equal(describeAttack('ensemble', { epsilon: 0.03, surrogates: [{ kind: 'rect', gamma: 0.5, width: 0.25 }] }),
      'ensemble (eps 0.03, steps 50, restarts 1, surrogates rect:0.25@0.5)');
    assert.throws(() => createAttack('ensemble', { epsilon: 0.03, surrogates: [] }, new Rng(1)), /the surrogate ensemble needs at least one member/);
  });
});
