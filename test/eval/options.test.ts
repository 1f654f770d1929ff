/** The eval options schema: defaults, forgiving input (fractions, comma lists), one-line errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvalOptions, parseFraction, flagName } from '../../src/eval/options.js';
import { planEvaluation } from '../../src/eval/protocol.js';
import { attackSpec } from '../../src/attacks/registry.js';

test('defaults are the seed protocol', () => {
  const o = parseEvalOptions({ model: 'm.pt' });
  assert.deepEqual(o.attacks, ['clean', 'fgsm', 'pgd']);
  assert.deepEqual(o.eps, [0.031]);
  assert.equal(o.timesteps, undefined);
  assert.equal(o.pgdRandomStart, true);
  assert.equal(o.batch, 32);
  assert.equal(o.seed, 0);
  assert.equal(o.eot, 1);
  assert.equal(o.evalSamples, 1);
  assert.deepEqual(o.energy, { macPj: 4.6, acPj: 0.9 });
  assert.equal(o.arch, 'auto');
});

test('ε lists take fractions; T lists take commas; strings of numbers are numbers', () => {
  const o = parseEvalOptions({ model: 'm', eps: '0, 2/255,8/255,0.5', timesteps: '4,8', batch: '16', pgdSteps: '3', attacks: 'clean,PGD' });
  assert.deepEqual(o.eps, [0, 2 / 255, 8 / 255, 0.5]);
  assert.deepEqual(o.timesteps, [4, 8]);
  assert.equal(o.batch, 16);
  assert.equal(o.pgdSteps, 3);
  assert.deepEqual(o.attacks, ['clean', 'pgd']);
  assert.deepEqual(parseEvalOptions({ model: 'm', eps: 8 / 255 }).eps, [8 / 255]);
  assert.deepEqual(parseEvalOptions({ model: 'm', eps: ['1/255', 0.1] }).eps, [1 / 255, 0.1]);
  assert.deepEqual(parseEvalOptions({ model: 'm', attacks: 'strong' }).attacks, ['strong']);
  assert.equal(parseFraction('8/255'), 8 / 255);
  const sur = parseEvalOptions({ model: 'm', surrogate: 'PWL:0.50', surrogates: 'exp,rate,ste,rect:0.25@0.5' });
  assert.equal(sur.surrogate, 'pwl:0.5');
  assert.deepEqual(sur.surrogates, ['exp:1', 'rate', 'ste', 'rect:0.25@0.5']);
  assert.ok(Number.isNaN(parseFraction('8/')));
});

const bad: [string, Record<string, unknown>, RegExp][] = [
  ['ε above 1', { eps: '5' }, /^--eps: must be in \[0,1\].*got "5"/],
  ['negative ε', { eps: -0.1 }, /^--eps: must be in \[0,1\]/],
  ['ε that is not a number', { eps: '0,abc' }, /^--eps: .*got "abc"/],
  ['empty ε list', { eps: ' , ' }, /^--eps: /],
  ['T = 0', { timesteps: '4,0' }, /^--timesteps: must be a whole number >= 1, got "0"/],
  ['unknown attack', { attacks: 'clean,cw' }, /^--attacks: unknown "cw"; choose strong or from clean, fgsm, pgd/],
  ['strong inside a list', { attacks: 'clean,strong' }, /^--attacks: unknown "strong" \(it is a whole suite: use it alone\)/],
  ['an unknown ANN activation', { annActivation: 'tanh' }, /^--ann-activation: /],
  ['negative queries', { queries: '-5' }, /^--queries: must be a whole number >= 1, got "-5"/],
  ['zero EOT', { eot: 0 }, /^--eot: must be a whole number >= 1/],
  ['fractional steps', { steps: 2.5 }, /^--steps: must be a whole number >= 1/],
  ['unknown surrogate', { surrogate: 'tanh' }, /^--surrogate: must be a surrogate like pwl/],
  ['a surrogate of width 0', { surrogates: 'pwl,rect:0' }, /^--surrogates: must be a surrogate like pwl.*width > 0/],
  ['unknown option', { epsilon: 0.1 }, /^unknown option --epsilon/],
  ['no model', {}, /^--model: /],
];
for (const [what, input, message] of bad) {
  test(`eval options reject ${what} in one line`, () => {
    assert.throws(() => parseEvalOptions({ model: 'm', ...input, ...(what === 'no model' ? { model: undefined } : {}) }, flagName), (err: Error) => {
      assert.match(err.message, message);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    });
  });
}

test('flag names follow the CLI', () => {
  assert.equal(flagName('pgdStepSize'), '--pgd-step-size');
  assert.equal(flagName('eps'), '--eps');
});

test('--ann-activation reaches transfer-ann and its recorded protocol; other attacks ignore it', () => {
  const plan = (extra: Record<string, unknown>) => planEvaluation(parseEvalOptions({ model: 'm', attacks: 'strong', ...extra }), { classes: 10 });
  const resolved = (p: ReturnType<typeof plan>, attack: string) => attackSpec(attack).resolve(p.options(attack, 0.031));
  assert.equal(resolved(plan({}), 'transfer-ann').annActivation, 'relu');
  const scaled = plan({ annActivation: 'threshold-scaled' });
  assert.equal(resolved(scaled, 'transfer-ann').annActivation, 'threshold-scaled');
  assert.ok(!('annActivation' in resolved(scaled, 'apgd-ce')));
});
