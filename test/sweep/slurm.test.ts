/**
 * `hire-snn sweep --executor slurm` on a real single-node Slurm (scripts/slurm-local.sh starts
 * a private munged + slurmctld + slurmd and stops them afterwards, whatever happened):
 * examples/sweeps/smoke.yaml gives the same results.json as the local executor; --dry-run
 * prints the job scripts; sbatch missing or the controller down is one line and writes
 * nothing. Skips without Slurm or without the CIFAR-10 copy, unless CI=true.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCliProcess } from '../helpers/cli.js';
import { tempDir } from '../data/helpers.js';
import type { SweepResults } from '../../src/sweep/results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(root, 'scripts/slurm-local.sh');
const smoke = path.join(root, 'examples/sweeps/smoke.yaml');
const have = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const missing = ['sbatch', 'slurmctld', 'slurmd', 'munged'].filter((b) => !have(b));
const data = path.resolve(root, '../shared/data/cifar10');
const why = missing.length ? `Slurm not installed (${missing.join(', ')} missing: apt-get install slurm-wlm munge)`
  : !fs.existsSync(data) && !process.env.HIRE_SNN_DATA ? `no CIFAR-10 copy at ${data}` : '';
if (why && process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
const skip = why ? `skipped: ${why}` : false;

let tmp: ReturnType<typeof tempDir>;
let cluster = '';
let env: Record<string, string> = {};

before(() => {
  tmp = tempDir('sweep-slurm');
  if (skip) return;
  cluster = path.join(tmp.path, 'cluster');
  const r = spawnSync('bash', [script, 'start', cluster], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `slurm-local.sh start: ${r.stderr}`);
  const conf = /export SLURM_CONF=(\S+)/.exec(r.stdout)?.[1];
  assert.ok(conf, r.stdout);
  env = { SLURM_CONF: conf };
});

after(() => {
  if (cluster) spawnSync('bash', [script, 'stop', cluster], { stdio: 'inherit', timeout: 120_000 });
  tmp.cleanup();
});

const readResults = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as SweepResults;
const stable = (r: SweepResults) => r.rows.map(({ timing: _timing, ...row }) => row);

test('smoke.yaml on Slurm gives the same results.json as the local executor', { skip, timeout: 900_000 }, () => {
  const local = path.join(tmp.path, 'local');
  const l = runCliProcess(['sweep', smoke, '--out', local, '--workers', '2'], env, 600_000);
  assert.equal(l.status, 0, l.stderr);
  const slurm = path.join(tmp.path, 'slurm');
  const s = runCliProcess(['sweep', smoke, '--out', slurm, '--executor', 'slurm', '--poll', '0.5', '--slurm-opts', '--time=30'], env, 600_000);
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stderr, /submitted level 0: job array \d+ \(1 cell\)/);
  assert.match(s.stderr, /submitted level 1: job array \d+ \(4 cells\), after \d+/);
  assert.match(s.stderr, /submitted level 2: job array \d+ \(4 cells\), after \d+/);
  assert.match(s.stdout, /9\/9 cells done/);
  const a = readResults(local);
  const b = readResults(slurm);
  assert.equal(b.rows.length, 9);
  assert.ok(b.rows.every((r) => r.status === 'done'));
  assert.deepEqual(stable(b), stable(a));
  // every task ran the cell once, as a Slurm job
  for (const r of b.rows) assert.match(fs.readFileSync(path.join(slurm, 'cells', r.cell, 'log.txt'), 'utf8'), /^=== attempt 1/);
  assert.equal(fs.readdirSync(path.join(slurm, 'slurm')).filter((f) => f.endsWith('.out')).length, 9);

  // started again: nothing to submit
  const again = runCliProcess(['sweep', smoke, '--out', slurm, '--executor', 'slurm', '--poll', '0.5'], env);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /9 cells, 9 already done; submitting 0 job arrays/);
});

test('--dry-run prints the job scripts and writes nothing', { skip }, () => {
  const out = path.join(tmp.path, 'dry');
  const r = runCliProcess(['sweep', smoke, '--out', out, '--executor', 'slurm', '--dry-run', '--slurm-opts', '--partition=short --mem=4G'], env);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /# sbatch --parsable --dependency=afterok:<job of level 0> --kill-on-invalid-dep=yes .*level-1\.sh/);
  assert.match(r.stdout, /#SBATCH --array=0-3\n/);
  assert.match(r.stdout, /#SBATCH --partition=short\n#SBATCH --mem=4G\n/);
  assert.match(r.stdout, /sweep-cell '.*\/cells\/'"\$\{cells\[\$SLURM_ARRAY_TASK_ID\]\}" --retries 1/);
  assert.ok(!fs.existsSync(out));
});

test('sbatch missing or the controller down: one line, non-zero exit, nothing written', { skip }, () => {
  const out = path.join(tmp.path, 'never');
  const empty = path.join(tmp.path, 'empty-bin');
  fs.mkdirSync(empty);
  const noSlurm = runCliProcess(['sweep', smoke, '--out', out, '--executor', 'slurm'], { ...env, PATH: empty });
  assert.equal(noSlurm.status, 1);
  assert.equal(noSlurm.stderr.trim().split('\n').length, 1, noSlurm.stderr);
  assert.match(noSlurm.stderr, /^hire-snn: sbatch not found: --executor slurm needs the Slurm client commands/);
  // the same cluster's config with the controller moved to a port nobody listens on
  const conf = fs.readFileSync(env.SLURM_CONF, 'utf8').replace(/^SlurmctldPort=\d+$/m, 'SlurmctldPort=9');
  const down = path.join(tmp.path, 'down.conf');
  fs.writeFileSync(down, conf);
  const r = runCliProcess(['sweep', smoke, '--out', out, '--executor', 'slurm'], { SLURM_CONF: down });
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^hire-snn: Slurm controller unreachable: squeue says ".*"/);
  assert.ok(!fs.existsSync(out));
});
