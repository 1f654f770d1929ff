/**
 * `hire-snn sweep` with the local executor on tiny cells (a 4,A,8,A VGG, 40 synthetic CIFAR
 * images): results collected from every cell; a second run skips finished cells; a sweep
 * killed mid-way and started again reruns nothing that finished and ends with the same
 * numbers; a crashed attempt is retried; a cell that keeps failing is reported, its
 * dependents are not run, and bad input leaves no results file.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCliProcess } from '../helpers/cli.js';
import { tempDir, writeFiles, cifarRecords, CIFAR10_NAMES } from '../data/helpers.js';
import type { SweepResults } from '../../src/sweep/results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let tmp: ReturnType<typeof tempDir>;
let grid: string;

before(() => {
  tmp = tempDir('sweep-local');
  const data = path.join(tmp.path, 'data');
  const labels = (n: number, seed: number) => Array.from({ length: n }, (_, i) => [(i * 7 + seed) % 10]);
  const files: Record<string, Uint8Array | string> = { 'cifar-10-batches-bin/batches.meta.txt': CIFAR10_NAMES.join('\n') + '\n' };
  for (let b = 1; b <= 5; b++) files[`cifar-10-batches-bin/data_batch_${b}.bin`] = cifarRecords(labels(8, b), b);
  files['cifar-10-batches-bin/test_batch.bin'] = cifarRecords(labels(8, 9), 9);
  writeFiles(data, files);
  grid = path.join(tmp.path, 'grid.yaml');
  fs.writeFileSync(grid, `
stages:
  net:
    train: { method: snn, arch: "4,A,8,A", hidden: [16], timesteps: 2, epochs: 2, batch: 8, data: data }
    axes: { seed: [0, 1] }
  attack:
    eval: { model: { stage: net }, attacks: [clean, fgsm], limit: 8, data: data }
`);
});

after(() => tmp.cleanup());

const readResults = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as SweepResults;
/** what two runs of the same grid must agree on: everything but wall-clock time and attempt numbers */
const stable = (r: SweepResults) => r.rows.map(({ timing: _timing, ...row }) => row);
const attempts = (out: string, cell: string) => (fs.readFileSync(path.join(out, 'cells', cell, 'log.txt'), 'utf8').match(/^=== attempt/gm) ?? []).length;

let reference: SweepResults;

test('a sweep runs every cell, collects results.json, results.csv and report.html; a second run skips them all', () => {
  const out = path.join(tmp.path, 'ref');
  const r = runCliProcess(['sweep', grid, '--out', out, '--workers', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /4 cells, 0 already done; running 4 on 2 workers x 1 thread/);
  assert.match(r.stderr, /sweep 4\/4 cells \(100%\).*ETA/);
  assert.match(r.stdout, /4\/4 cells done/);
  reference = readResults(out);
  assert.deepEqual(reference.rows.map((x) => [x.stage, x.status, x.coords]), [
    ['net', 'done', { seed: 0 }], ['net', 'done', { seed: 1 }], ['attack', 'done', { seed: 0 }], ['attack', 'done', { seed: 1 }],
  ]);
  const [net0, net1, att0] = reference.rows;
  assert.equal(net0.metrics.epochs, 2);
  assert.equal(net0.metrics.testImages, 8);
  assert.notDeepEqual(net0.metrics, net1.metrics, 'the seeds train different models');
  assert.deepEqual(att0.deps, [{ option: 'model', cell: net0.cell }]);
  assert.equal(att0.metrics.n, 8);
  assert.equal(att0.metrics['clean.top1'], net0.metrics.testTop1, 'eval of the model agrees with its training log');
  assert.ok(att0.metrics['fgsm.whiteBox.top1'] >= 0 && att0.metrics['fgsm.whiteBox.top1'] <= 100);
  assert.equal(att0.protocol?.epsilon, 0.031);
  const evalJson = JSON.parse(fs.readFileSync(path.join(out, 'cells', att0.cell, 'eval.json'), 'utf8')) as { results: { clean: { top1: number } } };
  assert.equal(evalJson.results.clean.top1, att0.metrics['clean.top1']);
  const csv = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 5);
  assert.match(csv[0], /^cell,stage,kind,status,seed,epochs,testTop1,.*clean\.top1,.*fgsm\.whiteBox\.top1.*,seconds,error$/);
  assert.match(csv[3], new RegExp(`^${att0.cell},attack,eval,done,0,`));
  // the report page over the finished cells, each named by its stage and coordinates
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /net seed=0/);
  assert.match(html, /net seed=1/);
  assert.ok(!fs.existsSync(path.join(out, '.report-inputs')));

  const again = runCliProcess(['sweep', grid, '--out', out, '--workers', '2']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /4 cells, 4 already done; running 0/);
  assert.deepEqual(readResults(out), reference, 'nothing ran again');
  for (const row of reference.rows) assert.equal(attempts(out, row.cell), 1);
});

test('a sweep killed mid-way and started again reruns nothing finished and gives the same results', async () => {
  const out = path.join(tmp.path, 'killed');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'sweep', grid, '--out', out, '--workers', '2'], {
    cwd: root, detached: true, stdio: 'ignore', env: { ...process.env, CI: '1' },
  });
  const cells = () => (fs.existsSync(path.join(out, 'cells')) ? fs.readdirSync(path.join(out, 'cells')) : []);
  const finished = () => cells().filter((c) => fs.existsSync(path.join(out, 'cells', c, 'done.json')));
  const deadline = Date.now() + 90_000;
  while (finished().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // the whole process group, as a crash or a closed terminal would
  process.kill(-child.pid!, 'SIGKILL');
  await new Promise((r) => child.on('close', r));
  const before = new Map(finished().map((c) => [c, fs.readFileSync(path.join(out, 'cells', c, 'done.json'), 'utf8')]));
  assert.ok(before.size >= 1 && before.size < 4, `killed with ${before.size} of 4 cells done`);
  assert.ok(!fs.existsSync(path.join(out, 'results.json')), 'no results file from the killed run');

  const r = runCliProcess(['sweep', grid, '--out', out, '--workers', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`4 cells, ${before.size} already done`));
  for (const [c, done] of before) {
    assert.equal(fs.readFileSync(path.join(out, 'cells', c, 'done.json'), 'utf8'), done, 'a finished cell is not run again');
    assert.equal(attempts(out, c), 1);
  }
  assert.deepEqual(stable(readResults(out)), stable(reference));
});

test('a crashed attempt is retried; a cell that keeps failing is reported and its dependents are not run', async () => {
  const out = path.join(tmp.path, 'crash');
  // one training cell (the reference's first: the same config is the same cell)
  const one = path.join(tmp.path, 'one.yaml');
  fs.writeFileSync(one, fs.readFileSync(grid, 'utf8').replace('seed: [0, 1]', 'seed: [0]'));
  // kill its first attempt as the out-of-memory killer would
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'sweep', one, '--out', out, '--retries', '1'], {
    cwd: root, stdio: 'ignore', env: { ...process.env, CI: '1' },
  });
  const first = reference.rows[0].cell;
  const lock = path.join(out, 'cells', first, 'running.json');
  const deadline = Date.now() + 90_000;
  let pid: number | undefined;
  while (pid === undefined && Date.now() < deadline) {
    try {
      pid = (JSON.parse(fs.readFileSync(lock, 'utf8')) as { pid: number }).pid;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  process.kill(pid!, 'SIGKILL');
  const code = await new Promise((r) => child.on('close', r));
  assert.equal(code, 0);
  const rows = readResults(out).rows;
  assert.equal(rows[0].timing?.attempt, 2);
  assert.equal(attempts(out, first), 2);
  assert.match(fs.readFileSync(path.join(out, 'cells', first, 'log.txt'), 'utf8'), /=== attempt 2/);
  assert.deepEqual(stable(readResults(out)), [reference.rows[0], reference.rows[2]].map(({ timing: _t, ...row }) => row), 'the retried cell computes the same numbers');

  const badGrid = path.join(tmp.path, 'bad.yaml');
  fs.writeFileSync(badGrid, fs.readFileSync(one, 'utf8').replace('method: snn,', 'method: snn, init: missing.safetensors,'));
  const bad = runCliProcess(['sweep', badGrid, '--out', path.join(tmp.path, 'bad'), '--retries', '2']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /attempt 1 of net seed=0 .* failed: --init .*missing\.safetensors: no such file \(exit code 1\); retrying/);
  assert.match(bad.stderr, /FAILED: net seed=0 .* after 3 attempts/);
  assert.match(bad.stderr, /not run: attack seed=0 .*a cell it depends on failed/);
  assert.match(bad.stderr.trim().split('\n').at(-1)!, /^hire-snn: 1 cell\(s\) failed, 1 not run; hire-snn sweep .* retries them$/);
  const badRows = readResults(path.join(tmp.path, 'bad')).rows;
  assert.deepEqual(badRows.map((x) => x.status), ['failed', 'not-run']);
  assert.match(badRows[0].error!, /no such file/);
  assert.equal(attempts(path.join(tmp.path, 'bad'), badRows[0].cell), 3);
});

test('bad input: one line, non-zero exit, nothing written', () => {
  const out = path.join(tmp.path, 'never');
  const cases: [string[], RegExp][] = [
    [['sweep', path.join(tmp.path, 'nope.yaml'), '--out', out], /nope\.yaml: no such file/],
    [['sweep', grid, '--out', out, '--executor', 'cloud'], /--executor must be one of local, slurm/],
    [['sweep', grid, '--out', out, '--executor', 'slurm', '--slurm-opts', 'partition=x'], /--slurm-opts: "partition=x" is not an sbatch option/],
  ];
  fs.writeFileSync(path.join(tmp.path, 'axis.yaml'), fs.readFileSync(grid, 'utf8').replace('seed: [0, 1]', 'seeds: [0, 1]'));
  cases.push([['sweep', path.join(tmp.path, 'axis.yaml'), '--out', out], /axis\.yaml: stages\.net\.axes: unknown axis "seeds"/]);
  for (const [args, message] of cases) {
    const r = runCliProcess(args);
    assert.notEqual(r.status, 0);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], message);
    assert.ok(!fs.existsSync(out), `nothing written for ${args.join(' ')}`);
  }
  // commander names an unknown command-line option first (then prints the usage)
  const r = runCliProcess(['sweep', grid, '--out', out, '--workerz', '2']);
  assert.equal(r.status, 1);
  assert.match(r.stderr.split('\n')[0], /unknown option '--workerz'/);
  assert.ok(!fs.existsSync(out));
});
