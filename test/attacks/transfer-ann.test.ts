/** transfer-ann crafts on the ANN counterpart: on a model whose ANN is a different linear map, it reaches that map's worst case. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { attackSpec, createAttack } from '../../src/attacks/registry.js';
import { annCounterpart } from '../../src/attacks/transfer-ann.js';
import { predict, margins } from '../../src/attacks/base.js';
import { Rng } from '../../src/data/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import type { SpikingModel } from '../../src/snn/model.js';
import { linearModel, randomBatch, worstCase } from '../helpers/linear-model.js';
import { fixtureTarget } from './helpers.js';

describe('transfer-ann', () => {
  test('runs on the ANN pass, to its worst case (no early stop), never on the SNN pass', () => {
    const snn = linearModel(2, [1, 4, 4], 41);
    const ann = linearModel(2, [1, 4, 4], 42);
    const model: SpikingModel = { ...snn, forwardAnn: (x: Tensor) => ann.forward(x, { timesteps: 1 }).logits };
    const batch = randomBatch(ann, 12, 43);
    const eps = 0.1;
    snn.imagesSeen = 0;
    const adv = createAttack('transfer-ann', { epsilon: eps, steps: 10 }, new Rng(1)).perturb({ model, timesteps: 4 }, batch);
    assert.equal(snn.imagesSeen, 0, 'the SNN pass was used');
    const worst = worstCase(ann, batch.x01, batch.labels, eps);
    assert.ok(worst.margins.some((m) => m < 0), 'nothing breakable: the test would not see an early stop');
    // every image, broken or not, ends at the corner of the ball that minimises the ANN's margin
    adv.forEach((v, i) => assert.ok(Math.abs(v - worst.images[i]) < 1e-6, `pixel ${i}: ${v} vs ${worst.images[i]}`));
  });

  test('the ANN counterpart of the tiny VGG is its ReLU pass; the attack is seeded and stays in the ball', () => {
    const t = fixtureTarget();
    const ann = annCounterpart(t.model);
    assert.deepEqual(predict({ model: ann, timesteps: 4 }, t.batch.x01, t.batch.shape), t.model.forwardAnn(new Tensor(t.batch.x01, t.batch.shape), { train: false }).data);
    const run = (seed: number) => createAttack('transfer-ann', { epsilon: 0.031, steps: 3 }, new Rng(seed)).perturb(t.ctx, t.batch);
    const adv = run(1);
    assert.deepEqual(run(1), adv);
    adv.forEach((v, i) => assert.ok(v >= 0 && v <= 1 && Math.abs(v - t.batch.x01[i]) <= Math.fround(0.031) + 1e-7));
    const before = margins(predict({ model: ann, timesteps: 4 }, t.batch.x01, t.batch.shape), t.batch.labels, 10);
    const after = margins(predict({ model: ann, timesteps: 4 }, adv, t.batch.shape), t.batch.labels, 10);
    after.forEach((m, b) => assert.ok(m < before[b], `image ${b}: the ANN margin did not fall (${before[b]} -> ${m})`));
  });

  test('annActivation threshold-scaled crafts on clamp(I/θ, 0, 1): its own ANN, not the ReLU one', () => {
    const t = fixtureTarget();
    const x = new Tensor(t.batch.x01, t.batch.shape);
    const scaled = t.model.forwardAnn(x, { train: false, activation: 'threshold-scaled' }).data;
    assert.deepEqual(predict({ model: annCounterpart(t.model, 'threshold-scaled'), timesteps: 4 }, t.batch.x01, t.batch.shape), scaled);
    assert.notDeepEqual(scaled, t.model.forwardAnn(x, { train: false }).data);
    assert.deepEqual(attackSpec('transfer-ann').resolve({ epsilon: 0.031 }), { epsilon: 0.031, steps: 100, restarts: 1, annActivation: 'relu' });
    const run = (annActivation: 'relu' | 'threshold-scaled') => createAttack('transfer-ann', { epsilon: 0.031, steps: 3, annActivation }, new Rng(1)).perturb(t.ctx, t.batch);
    const adv = run('threshold-scaled');
    assert.notDeepEqual(adv, run('relu'));
    const ann = annCounterpart(t.model, 'threshold-scaled');
    const before = margins(predict({ model: ann, timesteps: 4 }, t.batch.x01, t.batch.shape), t.batch.labels, 10);
    const after = margins(predict({ model: ann, timesteps: 4 }, adv, t.batch.shape), t.batch.labels, 10);
    after.forEach((m, b) => assert.ok(m < before[b], `image ${b}: the threshold-scaled ANN margin did not fall (${before[b]} -> ${m})`));
  });
});
