/** The attack registry: names round-trip, defaults fill in, unknown names and misfits are one clear error. */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ATTACKS, ATTACK_NAMES, attackSpec, createAttack, checkApplicable, describeAttack } from '../../src/attacks/registry.js';
import { AttackOptionError } from '../../src/attacks/options.js';
import { Pgd } from '../../src/attacks/pgd.js';
import { Fgsm } from '../../src/attacks/fgsm.js';
import { Rng } from '../../src/data/rng.js';
import { shareEqual } from '../helpers/fixtures.js';
import { fixtureTarget, type FixtureTarget } from './helpers.js';

describe('attack registry', () => {
  test('every entry is found by its name and creates an attack of that name', () => {
    assert.deepEqual([...ATTACK_NAMES], ['fgsm', 'pgd', 'apgd-ce', 'apgd-dlr', 'apgd-t', 'square', 'ensemble', 'transfer-ann']);
    assert.equal(new Set(ATTACK_NAMES).size, ATTACKS.length);
    for (const name of ATTACK_NAMES) {
      const spec = attackSpec(name);
      assert.equal(spec.name, name);
      assert.ok(spec.description.length > 0 && spec.paper.length > 0, name);
      assert.equal(createAttack(name, { epsilon: 0.03 }, new Rng(1)).name, name);
    }
  });

  test('an unknown name is one error listing the registry', () => {
    assert.throws(() => attackSpec('pgd2'), (e: Error) => {
      assert.ok(e instanceof AttackOptionError);
      assert.equal(e.message, `unknown attack 'pgd2': the attacks are ${ATTACK_NAMES.join(', ')}`);
      return true;
    });
    assert.throws(() => createAttack('clean', { epsilon: 0.03 }, new Rng(1)), /unknown attack 'clean'/);
  });

  test('defaults fill what is left undefined; given values win; only read options are kept', () => {
    assert.deepEqual(attackSpec('pgd').resolve({ epsilon: 0.031 }), { epsilon: 0.031, steps: 7, stepSize: 0.01, randomStart: true, restarts: 1 });
    assert.deepEqual(attackSpec('pgd').resolve({ epsilon: 0.1, steps: 20, stepSize: undefined, randomStart: false, queries: 99 }),
      { epsilon: 0.1, steps: 20, stepSize: 0.01, randomStart: false, restarts: 1 });
    assert.deepEqual(attackSpec('square').resolve({ epsilon: 0.031, steps: 20 }), { epsilon: 0.031, queries: 5000 });
    assert.deepEqual(attackSpec('fgsm').resolve({ epsilon: 0.031, steps: 20 }), { epsilon: 0.031 });
    assert.equal(describeAttack('pgd', { epsilon: 0.031 }), 'pgd (eps 0.031, steps 7, stepSize 0.01, randomStart true, restarts 1)');
  });

  test('bad option values are option errors', () => {
    assert.throws(() => createAttack('pgd', { epsilon: -1 }, new Rng(1)), AttackOptionError);
    assert.throws(() => createAttack('pgd', { epsilon: 0.03, steps: 2.5 }, new Rng(1)), /PGD steps must be a whole number >= 1, got 2.5/);
    assert.throws(() => createAttack('fgsm', { epsilon: NaN }, new Rng(1)), /epsilon must be a finite number >= 0/);
  });

  test('checkApplicable names what does not fit', () => {
    checkApplicable('pgd', { classes: 10, stochastic: false });
    assert.throws(() => checkApplicable('pgd', { classes: 1, stochastic: false }), /attack 'pgd' needs at least 2 classes, the model has 1/);
  });
});

describe('registry attacks on the tiny VGG fixture', () => {
  let t: FixtureTarget;
  before(() => {
    t = fixtureTarget();
  });

  test('registry fgsm and pgd are the classes the seed protocol uses, and match PyTorch', () => {
    const a = t.fixture.meta.attacks!;
    const viaRegistry = createAttack('fgsm', { epsilon: a.fgsm.eps }, new Rng(0)).perturb(t.ctx, t.batch);
    assert.deepEqual(viaRegistry, new Fgsm(a.fgsm.eps).perturb(t.ctx, t.batch));
    const opts = { epsilon: a.pgd3.eps, steps: a.pgd3.steps, stepSize: a.pgd3.step, randomStart: false };
    const pgd = createAttack('pgd', opts, new Rng(0)).perturb(t.ctx, t.batch);
    assert.deepEqual(pgd, new Pgd(opts).perturb(t.ctx, t.batch));
    assert.ok(shareEqual(pgd, t.fixture.case.get('pgd3_x01')!.data) > 0.99);
  });

  test('the same seed gives the same images; another seed another random start', () => {
    const run = (seed: number) => createAttack('pgd', { epsilon: 0.031, steps: 2 }, new Rng(seed)).perturb(t.ctx, t.batch);
    const first = run(5);
    assert.deepEqual(run(5), first);
    assert.ok(shareEqual(run(6), first) < 0.5);
    for (let i = 0; i < first.length; i++) {
      assert.ok(first[i] >= 0 && first[i] <= 1 && Math.abs(first[i] - t.batch.x01[i]) <= Math.fround(0.031) + 1e-7, `pixel ${i}`);
    }
  });
});
