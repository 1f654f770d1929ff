/**
 * The run folder (issue 21 items 4, 7, 8): a second run on a locked --out is refused (in-process
 * and two real CLI runs at once), a stale lock is taken over, and a run that fails before its
 * first completed save leaves nothing behind: not for missing data, not for a full disk; a
 * read-only --out is named as such.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runTraining } from '../../src/train/run.js';
import { RunLock, LOCK_FILE } from '../../src/train/run-lock.js';
import { hasState } from '../../src/train/state.js';
import { tempDir, writeFiles, cifarRecords, CIFAR10_NAMES } from '../data/helpers.js';
import { tmpfsMount } from '../helpers/mounts.js';
import { runCliProcess } from '../helpers/cli.js';
import { config, dataset } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const datasets = { train: dataset('train', 8, 1), test: dataset('test', 8, 2) };
const small = config('ann', { epochs: 1 });

test('a locked --out is refused, the lock goes with the run, a stale lock is taken over', async (t) => {
  const tmp = tempDir('run-lock');
  t.after(() => tmp.cleanup());
  const out = path.join(tmp.path, 'run');
  fs.mkdirSync(out);
  const held = RunLock.acquire(out);
  await assert.rejects(runTraining({ config: small, out, resume: false }, { datasets }), (err: Error) => {
    assert.match(err.message, new RegExp(`^--out ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another hire-snn run \\(pid ${process.pid}, since .*\\); wait for it or choose another --out \\(if no such run is going on, remove .*\\.lock\\)$`));
    return true;
  });
  assert.ok(!hasState(out), 'the refused run wrote nothing');
  held.release();
  // a lock left by a process that is gone (killed runs leave one) does not block
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify({ host: (await import('node:os')).hostname(), pid: Number(dead.stdout), token: 'old', since: 'then' }));
  const r = await runTraining({ config: small, out, resume: false }, { datasets });
  assert.equal(r.status, 'finished');
  assert.ok(!fs.existsSync(path.join(out, LOCK_FILE)), 'released at the end');
});

test('two CLI runs on one --out at once: the second is refused with one line, the first goes on', async (t) => {
  const tmp = tempDir('run-lock-cli');
  t.after(() => tmp.cleanup());
  const data = path.join(tmp.path, 'data');
  const files: Record<string, Uint8Array | string> = { 'cifar-10-batches-bin/batches.meta.txt': CIFAR10_NAMES.join('\n') + '\n' };
  for (let b = 1; b <= 5; b++) files[`cifar-10-batches-bin/data_batch_${b}.bin`] = cifarRecords(Array.from({ length: 8 }, (_, i) => [(i + b) % 10]), b);
  files['cifar-10-batches-bin/test_batch.bin'] = cifarRecords(Array.from({ length: 8 }, (_, i) => [i % 10]), 9);
  writeFiles(data, files);
  const out = path.join(tmp.path, 'run');
  // the first run is long; it is interrupted (Ctrl-C) once the second has been refused
  const args = ['train', '--method', 'hire', '--arch', '4,A,8,A', '--hidden', '16', '--timesteps', '4', '--batch', '8', '--epochs', '100000', '--data', data, '--out', out];
  const first = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, env: { ...process.env, CI: '1', HIRE_SNN_PROGRESS: 'always' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let second: ReturnType<typeof runCliProcess> | undefined;
  const code = await new Promise<number | null>((resolve) => {
    first.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (second || !/hire epoch 1\//.test(stderr)) return;
      second = runCliProcess(args);
      first.kill('SIGINT');
    });
    first.on('close', resolve);
  });
  assert.ok(second, stderr);
  assert.equal(second.status, 1, second.stderr);
  const lines = second.stderr.trim().split('\n');
  assert.equal(lines.length, 1, second.stderr);
  assert.match(lines[0], /^hire-snn: --out .*run is in use by another hire-snn run \(pid \d+, since /);
  assert.equal(code, 130, stderr);
  assert.ok(hasState(out));
  assert.ok(!fs.existsSync(path.join(out, LOCK_FILE)), 'the interrupted run released its lock');
});

test('missing data: nothing is created', async (t) => {
  const tmp = tempDir('run-nodata');
  t.after(() => tmp.cleanup());
  const out = path.join(tmp.path, 'a', 'run');
  await assert.rejects(runTraining({ config: small, out, resume: false, data: path.join(tmp.path, 'no-such-data') }), /no-such-data/);
  assert.equal(fs.existsSync(path.join(tmp.path, 'a')), false);
});

test('a full disk at the first save leaves no run folder, and only removes what the run made', async (t) => {
  // 16 KiB: the directory fits, the first save (state with optimizer moments, model, log) does not
  const disk = tmpfsMount({ size: 16384 });
  if (!disk) return t.skip('mounting a tmpfs is not allowed here');
  t.after(() => disk.unmount());
  const out = path.join(disk.dir, 'run');
  await assert.rejects(runTraining({ config: small, out, resume: false }, { datasets }), /no space left on device/);
  assert.deepEqual(fs.readdirSync(disk.dir), [], 'no half-made folder');
  // a folder the user made: their file stays, the run's files go
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
  await assert.rejects(runTraining({ config: small, out, resume: false }, { datasets }), /no space left on device/);
  assert.deepEqual(fs.readdirSync(out), ['notes.txt']);
});

test('--out on a read-only file system: a truthful line before any work', async (t) => {
  const ro = tmpfsMount({ ro: true });
  if (!ro) return t.skip('mounting a read-only tmpfs is not allowed here');
  t.after(() => ro.unmount());
  const out = path.join(ro.dir, 'runs', 'a');
  await assert.rejects(runTraining({ config: small, out, resume: false }, { datasets }), (err: Error) => {
    assert.equal(err.message, `--out ${out}: cannot create it in ${ro.dir}: it is on a read-only file system`);
    return true;
  });
});
