/**
 * `--eps LIST` / `--timesteps LIST`: one sweep entry per (T, ε), clean scored once per T, ε = 0
 * equal to clean, each entry the same as a single-value run, the JSON valid under its schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { runEvaluation } from '../../src/eval/run-eval.js';
import { parseEvalResult, EvalResultError, EVAL_FORMAT } from '../../src/eval/result-schema.js';
import { FIXTURES } from '../helpers/fixtures.js';

const dir = path.join(FIXTURES, 'vgg5-tiny-c10');
const base = { model: path.join(dir, 'state_dict_zip.pt'), arch: '8,A,16,16,A', inputs: path.join(dir, 'case.safetensors'), batch: 2 };

test('an ε x T sweep: entries in order, ε = 0 is clean, entries match single runs, JSON matches the schema', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hire-sweep-'));
  const json = path.join(tmp, 'sweep.json');
  const r = await runEvaluation({ ...base, eps: '0,8/255', timesteps: [4, 2], json });
  assert.deepEqual(r.sweep.map((e) => [e.timesteps, e.epsilon]), [[4, 0], [4, 8 / 255], [2, 0], [2, 8 / 255]]);
  assert.deepEqual(r.results, r.sweep[0].results);
  assert.deepEqual(r.spikes, r.sweep[0].spikes);
  assert.deepEqual(r.protocol.sweep, { epsilons: [0, 8 / 255], timesteps: [4, 2] });
  for (const e of r.sweep) {
    const clean = e.results.clean!;
    const same = r.sweep.find((o) => o.timesteps === e.timesteps)!.results.clean!;
    assert.deepEqual(clean, same, 'clean once per T');
    for (const a of ['fgsm', 'pgd']) {
      const s = e.results[a]!.whiteBox!;
      if (e.epsilon === 0) assert.deepEqual(s, clean, `${a} at eps 0 is clean`);
      assert.ok(e.results.worstCase!.top1 <= s.top1, `worst case <= ${a}`);
    }
    assert.ok(e.results.worstCase!.top1 <= clean.top1);
  }
  // at 8/255 with 7 random-start PGD steps this tiny model breaks something: the sweep is not trivially clean
  assert.ok(r.sweep[1].results.pgd!.whiteBox!.top1 < r.sweep[1].results.clean!.top1);
  const single = await runEvaluation({ ...base, eps: 8 / 255, timesteps: 2 });
  assert.deepEqual(single.results, r.sweep[3].results, 'an entry equals the single-value run');
  const written = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.equal(written.format, EVAL_FORMAT);
  const parsed = parseEvalResult(written, json);
  assert.equal(parsed.sweep.length, 4);
  assert.equal(parsed.results.pgd!.whiteBox!.top1, r.results.pgd!.whiteBox!.top1);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the result schema reads format 1 (one entry) and rejects what is not an eval result', async () => {
  const r = await runEvaluation({ ...base, attacks: ['clean', 'fgsm'], timesteps: 2 });
  const { format: _f, sweep: _s, diagnostics: _d, logits: _l, labels: _b, ...v1 } = r;
  const upgraded = parseEvalResult(JSON.parse(JSON.stringify(v1)));
  assert.equal(upgraded.sweep.length, 1);
  assert.equal(upgraded.sweep[0].epsilon, 0.031);
  assert.deepEqual(upgraded.sweep[0].results.fgsm, r.results.fgsm);
  assert.throws(() => parseEvalResult({ loss: 1 }, 'log.json'), (e: Error) => e instanceof EvalResultError && /^log\.json: not a hire-snn eval result/.test(e.message));
  assert.throws(() => parseEvalResult({ ...JSON.parse(JSON.stringify(r)), format: 'hire-snn-eval/9' }), EvalResultError);
});

test('the report is handed over before files are written, so a failed write loses nothing', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hire-late-write-'));
  const json = path.join(tmp, 'out.json');
  let shown: number | undefined;
  await assert.rejects(
    runEvaluation({ ...base, attacks: 'clean', timesteps: 2, json }, {
      // the directory disappears after the check, while the evaluation runs
      report: (r) => {
        shown = r.results.clean!.top1;
        fs.rmSync(tmp, { recursive: true, force: true });
      },
    }),
    /cannot write .*out\.json/,
  );
  assert.equal(typeof shown, 'number');
  assert.ok(!fs.existsSync(json));
});

test('outputs that are no prediction are counted per setting (T=1: no spike reaches the output)', async () => {
  const r = await runEvaluation({ ...base, attacks: 'clean,fgsm', timesteps: 1 });
  for (const s of [r.results.clean!, r.results.fgsm!.whiteBox!]) {
    assert.equal(s.allEqual, 3);
    assert.equal(s.nonFinite, 0);
  }
  const t4 = await runEvaluation({ ...base, attacks: 'clean', timesteps: 4 });
  assert.equal(t4.results.clean!.allEqual, 0);
});
