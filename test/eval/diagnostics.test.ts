/**
 * The gradient-masking diagnostics fire on a deliberately masked setting — white-box attacks
 * through a near-zero-width surrogate (rect:0.001: almost no neuron passes gradient) — and stay
 * quiet on the model's own surrogate, where the attacks work.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { runEvaluation } from '../../src/eval/run-eval.js';
import { DIAGNOSTIC_IDS } from '../../src/eval/diagnostics.js';
import { fixtureInputs, VGG5 } from './helpers.js';

const T = 2;
const inputs = fixtureInputs(16, T);
after(() => inputs.cleanup());
const base = {
  ...VGG5, inputs: inputs.file, timesteps: T, eps: '8/255', steps: 5, queries: 100, batch: 16,
  attacks: 'clean,fgsm,pgd,square', diagnostics: true, surrogates: 'pwl:1,pwl:2,exp:1,ste',
};
const byId = (r: Awaited<ReturnType<typeof runEvaluation>>) => Object.fromEntries(r.diagnostics.map((d) => [d.id, d]));

test('the model\'s own surrogate: every diagnostic checked and quiet', async () => {
  const r = await runEvaluation(base);
  assert.deepEqual(r.diagnostics.map((d) => d.id), [...DIAGNOSTIC_IDS]);
  for (const d of r.diagnostics) {
    assert.equal(d.triggered, false, `${d.id}: ${d.evidence}`);
    assert.doesNotMatch(d.evidence, /^not checked/, d.id);
    assert.equal(d.advice, undefined, `${d.id} advises only when triggered`);
  }
  const v = byId(r);
  assert.equal(v['large-eps-not-zero'].values.accuracy, 0, 'eps 0.5 breaks every clean-correct sample');
  assert.equal(v['zero-gradients'].values.share, 0);
  assert.ok(r.results.pgd!.whiteBox!.top1 < r.results.clean!.top1, 'PGD works through pwl:1');
});

test('a near-zero-width surrogate: the masking diagnostics fire, each with evidence and advice', async () => {
  const r = await runEvaluation({ ...base, surrogate: 'rect:0.001' });
  assert.equal(r.protocol.surrogate, 'rect:0.001');
  const v = byId(r);
  for (const id of ['bb-stronger-than-wb', 'more-steps-no-gain', 'large-eps-not-zero', 'zero-gradients', 'surrogate-sensitive'] as const) {
    assert.equal(v[id].triggered, true, `${id}: ${v[id].evidence}`);
    assert.match(v[id].advice ?? '', /^means: \S.*; \S/, id); // what it means; what to try
  }
  assert.ok(v['zero-gradients'].values.share! > 0.9, 'almost every sample has an all-zero input gradient');
  assert.ok(v['large-eps-not-zero'].values.accuracy! > 90, 'a blind attack leaves the samples correct even at eps 0.5');
  assert.ok(v['surrogate-sensitive'].values['pwl:1']! < v['surrogate-sensitive'].values['rect:0.001']!, 'the ensemble member sees what rect:0.001 does not');
  // FGSM and PGD are both blind here: neither is stronger, so that check stays quiet
  assert.equal(v['fgsm-stronger-than-pgd'].triggered, false, v['fgsm-stronger-than-pgd'].evidence);
  assert.ok(r.results.square!.whiteBox!.top1 < r.results.fgsm!.whiteBox!.top1, 'the score-based attack is not fooled by the surrogate');
});
