/** Bad report inputs: one clear line naming the file and the problem, exit 1, no HTML written (an older report stays). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readReportInputs } from '../../src/report/inputs.js';
import { ReportInputError } from '../../src/report/errors.js';
import { runCliProcess } from '../helpers/cli.js';
import { singleEval, writeJson, makeRun } from './fixtures.js';

function withDir(fn: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-errors-'));
    try {
      await fn(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

function rejects(paths: string[], message: RegExp) {
  assert.throws(() => readReportInputs(paths), (err: unknown) => err instanceof ReportInputError && message.test(err.message) && !err.message.includes('\n'));
}

test('report inputs: not an eval result, not JSON, no log.jsonl, a bad log line, mixed datasets, missing path', withDir((dir) => {
  const good = writeJson(path.join(dir, 'good.json'), singleEval('m.safetensors'));
  rejects([writeJson(path.join(dir, 'other.json'), { hello: 1 })], /other\.json: not a hire-snn eval result \(.*\); write one with hire-snn eval --json$/);
  rejects([writeJson(path.join(dir, 'nores.json'), { ...singleEval('m'), results: 3 })], /nores\.json: not a hire-snn eval result \(results: /);
  fs.writeFileSync(path.join(dir, 'text.json'), 'clean 33.0 %');
  rejects([path.join(dir, 'text.json')], /text\.json: not valid JSON/);
  fs.mkdirSync(path.join(dir, 'empty'));
  rejects([good, path.join(dir, 'empty')], /empty: no log\.jsonl \(not a training run folder\)/);
  const run = makeRun(path.join(dir, 'run'), { epochs: 2, snn: false, model: false });
  const log = path.join(run, 'log.jsonl');
  const lines = fs.readFileSync(log, 'utf8').split('\n');
  lines[2] = JSON.stringify({ ...JSON.parse(lines[2]), trainLoss: 'high' });
  fs.writeFileSync(log, lines.join('\n'));
  rejects([run], /log\.jsonl:3: not a training log entry \(trainLoss: /);
  const c100 = makeRun(path.join(dir, 'c100'), { epochs: 1, snn: false, model: false, dataset: 'cifar100' });
  rejects([good, c100], /the inputs mix datasets: .*good\.json is cifar10 but .*c100 is cifar100/);
  rejects([path.join(dir, 'nope.json')], /nope\.json: no such file or folder/);
  const sweepTable = writeJson(path.join(dir, 'results.json'), { format: 'hire-snn-sweep-results/1', grid: 'g.yaml', rows: [] });
  rejects([sweepTable], /results\.json: a sweep's results table, not an eval result; open .*report\.html .* \(.*cells\/\*\/eval\.json\)$/);
  rejects([], /no inputs/);
}));

test('report CLI: a bad input exits 1 with one line and leaves the old report; -o is checked first', withDir((dir) => {
  const out = path.join(dir, 'report.html');
  fs.writeFileSync(out, 'OLD');
  const bad = runCliProcess(['report', writeJson(path.join(dir, 'x.json'), [1, 2]), '-o', out]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^hire-snn: .*x\.json: not a hire-snn eval result/);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.equal(fs.readFileSync(out, 'utf8'), 'OLD');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['report.html', 'x.json']);
  const noDir = runCliProcess(['report', path.join(dir, 'missing.json'), '-o', path.join(dir, 'no/such/r.html')]);
  assert.equal(noDir.status, 1);
  assert.match(noDir.stderr, /^hire-snn: -o .*no\/such\/r\.html: directory .* does not exist\n$/);
  const isDir = runCliProcess(['report', path.join(dir, 'missing.json'), '-o', dir]);
  assert.equal(isDir.status, 1);
  assert.match(isDir.stderr, /^hire-snn: -o .*: is a directory; give a file name\n$/);
}));
