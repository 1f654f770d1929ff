/**
 * `eval` on the fixture models: with --pgd-random-start false and the fixture's protocol
 * (eps 0.031, PGD 3 x 0.01), the saved logits reproduce the fixture's FGSM/PGD logits, and
 * the reported accuracies are exactly what those logits imply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { runEvaluation } from '../../src/eval/run-eval.js';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { toFloat32 } from '../../src/io/arrays.js';
import { inTopK } from '../../src/eval/accuracy.js';
import { loadFixture, relErr, FIXTURES } from '../helpers/fixtures.js';

const cases = [
  { name: 'vgg5-tiny-c10', file: 'state_dict_zip.pt', arch: '8,A,16,16,A', dataset: 'cifar10' as const },
  { name: 'vgg11-tiny-c100', file: 'state_dict_legacy.pt', arch: '8,A,16,16,A,32,32,32,A,32,32', dataset: 'cifar100' as const },
];

for (const c of cases) {
  test(`eval reproduces the ${c.name} fixture's attack logits`, async () => {
    const f = loadFixture(c.name);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hire-eval-'));
    const outputs = path.join(dir, 'out.safetensors');
    const json = path.join(dir, 'out.json');
    const report = await runEvaluation({
      model: path.join(FIXTURES, c.name, c.file), arch: c.arch, dataset: c.dataset,
      inputs: path.join(FIXTURES, c.name, 'case.safetensors'), timesteps: f.meta.timesteps,
      attacks: ['clean', 'fgsm', 'pgd'], eps: 0.031, pgdSteps: 3, pgdStepSize: 0.01, pgdRandomStart: false,
      batch: 2, seed: 0, saveOutputs: outputs, json, energy: { macPj: 4.6, acPj: 0.9 },
    });
    const saved = readSafetensorsFile(outputs).tensors;
    const pairs: [string, string][] = [['logits.clean', 'logits'], ['logits.fgsm.whiteBox', 'fgsm_logits'], ['logits.pgd.whiteBox', 'pgd3_logits']];
    const labels = Array.from(f.case.get('labels')!.data);
    assert.deepEqual(Array.from(saved.get('labels')!.data as BigInt64Array, Number), labels);
    const classes = f.meta.architecture.labels;
    const results = [report.results.clean!, report.results.fgsm!.whiteBox!, report.results.pgd!.whiteBox!];
    pairs.forEach(([ours, theirs], i) => {
      const got = toFloat32(saved.get(ours)!);
      const want = f.case.get(theirs)!.data;
      assert.ok(relErr(got, want) < 1e-4, `${ours} vs ${theirs}: rel err ${relErr(got, want)}`);
      const implied = (100 * labels.filter((l, row) => inTopK(want, row, classes, l, 1)).length) / labels.length;
      assert.equal(results[i].top1, implied, `${ours} accuracy`);
    });
    const written = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.equal(written.results.clean.top1, report.results.clean!.top1);
    assert.equal(written.model.sha256.length, 64);
    assert.equal(written.spikes.clean.length, f.case.get('spike_counts')!.data.length);
    assert.ok(written.energy.snnPj > 0 && written.energy.annPj > written.energy.snnPj * 0);
    assert.equal(written.protocol.pgdRandomStart, false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}
