/**
 * The suite's per-sample bookkeeping: chained (strong) attacks see exactly the samples still
 * correct, accuracies only fall, the worst case is the last robust share and its broken-first
 * counts add up; a list's worst case is the per-sample AND over settings (checked against the
 * saved logits), never above any single attack; the same seed gives the same numbers.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runEvaluation } from '../../src/eval/run-eval.js';
import { STRONG_SUITE } from '../../src/eval/suite.js';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { toFloat32 } from '../../src/io/arrays.js';
import { inTopK } from '../../src/eval/accuracy.js';
import { fixtureInputs, twoClassModel, VGG5 } from './helpers.js';

const T = 2;
const inputs = fixtureInputs(24, T, 4);
after(() => inputs.cleanup());
const base = { ...VGG5, inputs: inputs.file, timesteps: T, eps: '2/255', steps: 10, queries: 60, batch: 8, diagnostics: false };

test('strong: each attack runs on the samples still correct, the worst case adds up, seeds repeat', async () => {
  const r = await runEvaluation({ ...base, attacks: 'strong' });
  const n = r.n;
  assert.equal(r.protocol.suite, 'strong');
  assert.equal(r.protocol.chain, true);
  const ran = r.protocol.attacks.slice(1);
  assert.deepEqual([...ran, ...r.protocol.notRun.map((m) => m.attack)].sort(), [...STRONG_SUITE].sort(), 'every suite attack ran or is listed as not run');
  assert.deepEqual(ran, STRONG_SUITE.filter((a) => ran.includes(a)), 'in the suite order');
  let robust = Math.round((r.results.clean!.top1 * n) / 100);
  assert.equal(r.results.worstCase!.brokenFirstBy.clean, n - robust);
  assert.ok(robust > 0 && robust < n, 'some samples start correct, some not');
  for (const a of ran) {
    const s = r.results[a]!.whiteBox!;
    assert.equal(s.attacked, robust, `${a} attacks exactly the ${robust} samples still correct`);
    const left = Math.round((s.top1 * n) / 100);
    assert.equal(s.broken, robust - left, `${a} broken count`);
    assert.equal(r.results.worstCase!.brokenFirstBy[`${a}.whiteBox`], robust - left);
    robust = left;
  }
  assert.equal(r.results.worstCase!.top1, (100 * robust) / n);
  const sum = Object.values(r.results.worstCase!.brokenFirstBy).reduce((x, y) => x + y, 0);
  assert.equal(sum, n - robust);
  const again = await runEvaluation({ ...base, attacks: 'strong' });
  assert.deepEqual(again.results, r.results, 'same seed, same numbers');
});

test('a list: every attack on every sample, worst case = per-sample AND of the saved logits', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hire-list-'));
  const outputs = path.join(dir, 'out.safetensors');
  const attacks = ['clean', 'fgsm', 'pgd', 'apgd-ce', 'square'];
  const r = await runEvaluation({ ...base, attacks, saveOutputs: outputs });
  assert.equal(r.protocol.chain, false);
  const saved = readSafetensorsFile(outputs).tensors;
  const labels = Array.from(saved.get('labels')!.data as BigInt64Array, Number);
  const settings = ['clean', ...attacks.slice(1).map((a) => `${a}.whiteBox`)];
  const correct = settings.map((s) => {
    const logits = toFloat32(saved.get(`logits.${s}`)!);
    return labels.map((l, i) => inTopK(logits, i, 10, l, 1));
  });
  const worst = labels.filter((_, i) => correct.every((c) => c[i])).length;
  assert.equal(r.results.worstCase!.top1, (100 * worst) / r.n);
  for (const a of attacks.slice(1)) {
    const s = r.results[a]!.whiteBox!;
    assert.equal(s.attacked, undefined, 'a list scores every sample');
    assert.ok(r.results.worstCase!.top1 <= s.top1, `worst case <= ${a}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('strong on a 2-class model lists DLR as not run, with why, and runs the rest', async () => {
  const two = twoClassModel();
  const r = await runEvaluation({ model: two.model, inputs: two.inputs, attacks: 'strong', steps: 2, queries: 10, diagnostics: false });
  assert.deepEqual(r.protocol.notRun.find((m) => m.attack === 'apgd-dlr'), { attack: 'apgd-dlr', reason: "attack 'apgd-dlr' needs at least 3 classes, the model has 2" });
  assert.ok(r.protocol.attacks.includes('apgd-ce') && !r.protocol.attacks.includes('apgd-dlr'));
  two.cleanup();
});
