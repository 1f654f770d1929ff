/**
 * `hire-snn train` from the command line: bad inputs give one clear line and a non-zero exit
 * before any work; a tiny ANN -> SNN run on small CIFAR-10 files writes a checkpoint that
 * `hire-snn eval` reads; Ctrl-C saves, exits 130, and --resume finishes the run.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCliProcess } from '../helpers/cli.js';
import { tempDir, writeFiles, cifarRecords, CIFAR10_NAMES } from '../data/helpers.js';
import { readCheckpoint } from '../../src/io/checkpoint.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let tmp: ReturnType<typeof tempDir>;
let data: string;

before(() => {
  tmp = tempDir('train-cli');
  data = path.join(tmp.path, 'data');
  const labels = (n: number, seed: number) => Array.from({ length: n }, (_, i) => [(i * 7 + seed) % 10]);
  const files: Record<string, Uint8Array | string> = { 'cifar-10-batches-bin/batches.meta.txt': CIFAR10_NAMES.join('\n') + '\n' };
  for (let b = 1; b <= 5; b++) files[`cifar-10-batches-bin/data_batch_${b}.bin`] = cifarRecords(labels(8, b), b);
  files['cifar-10-batches-bin/test_batch.bin'] = cifarRecords(labels(8, 9), 9);
  writeFiles(data, files);
});

after(() => tmp.cleanup());

const small = () => ['--arch', '4,A,8,A', '--hidden', '16', '--timesteps', '4', '--batch', '8', '--data', data];

function oneLine(r: { status: number | null; stderr: string }, message: RegExp): void {
  assert.notEqual(r.status, 0);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'));
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0], message);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

test('train rejects bad inputs with one line before any work', () => {
  const out = path.join(tmp.path, 'bad');
  const cases: [string[], RegExp][] = [
    [['train', '--method', 'hire', ...small(), '--timesteps', '5', '--periods', '2', '--out', out], /--timesteps 5 is not divisible by --periods 2/],
    [['train', '--method', 'snn', '--init', '/nonexistent/ann.safetensors', '--data', data, '--out', out], /--init \/nonexistent\/ann\.safetensors: no such file/],
    [['train', '--method', 'ann', '--arch', 'vgg99', '--data', data, '--out', out], /unknown --arch "vgg99"/],
    [['train', '--out', out, '--resume'], /--resume: .* holds no training state/],
    [['train', '--method', 'ann', '--data', data, '--out', out], /--arch is required/],
    [['train', '--method', 'snn', ...small(), '--carry-membrane', '--out', out], /--carry-membrane applies to --method hire/],
    [['train', '--method', 'hire', ...small(), '--encoding', 'poisson', '--out', out], /Poisson/],
    [['train', '--method', 'sgd', '--out', out], /--method must be one of ann, snn, hire/],
    [['train', '--out', out], /--method is required/],
  ];
  for (const [args, message] of cases) {
    oneLine(runCliProcess(args), message);
    assert.ok(!fs.existsSync(path.join(out, 'train-state.safetensors')), `no work done for ${args.join(' ')}`);
  }
});

test('ann -> snn (conversion) -> eval reads the checkpoint; a second run into the same --out is refused', () => {
  const ann = path.join(tmp.path, 'ann');
  const r1 = runCliProcess(['train', '--method', 'ann', ...small(), '--epochs', '1', '--out', ann]);
  assert.equal(r1.status, 0, r1.stderr);
  assert.match(r1.stderr, /ann epoch 1\/1 .*ETA/);
  assert.match(r1.stdout, /model .*model\.safetensors \| test acc/);
  const lines = fs.readFileSync(path.join(ann, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string });
  assert.deepEqual(lines.map((l) => l.event), ['start', 'epoch', 'end']);

  const snn = path.join(tmp.path, 'snn');
  const r2 = runCliProcess(['train', '--method', 'snn', '--init', path.join(ann, 'model.safetensors'), '--data', data, '--batch', '8', '--timesteps', '4', '--epochs', '1', '--calibration', '16', '--out', snn]);
  assert.equal(r2.status, 0, r2.stderr);
  assert.match(r2.stderr, /converted: thresholds \(99\.7th percentile x 0\.7\)/);
  const meta = readCheckpoint(path.join(snn, 'model.safetensors')).meta;
  assert.equal(meta.method, 'snn');
  assert.equal(meta.timesteps, 4);
  assert.equal(meta.dataset, 'cifar10');

  const ev = runCliProcess(['eval', '--model', path.join(snn, 'model.safetensors'), '--data', data, '--attacks', 'clean,fgsm', '--limit', '8']);
  assert.equal(ev.status, 0, ev.stderr);
  assert.match(ev.stdout, /clean/i);

  oneLine(runCliProcess(['train', '--method', 'ann', ...small(), '--out', ann]), /already holds a training run: pass --resume/);
  oneLine(runCliProcess(['train', '--out', snn, '--resume', '--lr', '0.5']), /--resume continues the saved run with its own options; these differ: lr=0.5/);
  const again = runCliProcess(['train', '--out', snn, '--resume']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /already finished/);
});

test('Ctrl-C finishes the step, saves, exits 130; --resume completes the run', async () => {
  const out = path.join(tmp.path, 'sigint');
  const args = ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'train', '--method', 'hire', ...small(), '--epochs', '3', '--out', out];
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, CI: '1', HIRE_SNN_PROGRESS: 'always' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const code = await new Promise<number | null>((resolve) => {
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // interrupt once the first epoch is under way
      if (!sent && /hire epoch 1\/3 \d+\/40 img/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (c) => resolve(c));
  });
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted; state saved to .*train-state\.safetensors/);
  assert.ok(fs.existsSync(path.join(out, 'model.safetensors')));
  const log = fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8');
  assert.match(log, /"event":"interrupt"/);
  // finish quickly: the saved run is resumed with its own options (3 short epochs)
  const r = runCliProcess(['train', '--out', out, '--resume']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /resuming .* at epoch 1/);
});

test('a HIRE checkpoint records its options; eval prints them and warns at a T it was not trained for', () => {
  const carried = path.join(tmp.path, 'hire-carried');
  const r = runCliProcess(['train', '--method', 'hire', ...small(), '--epochs', '1', '--carry-membrane', '--hire-loss', 'cumulative', '--noise-warmup', '0.5', '--out', carried]);
  assert.equal(r.status, 0, r.stderr);
  const meta = readCheckpoint(path.join(carried, 'model.safetensors')).meta;
  assert.deepEqual(meta.training?.hire, {
    periods: 2, stepsPerPeriod: 2, noiseEps: 8 / 255, noiseMode: 'cumulative', noiseProject: null, noiseWarmup: 0.5,
    noiseTiming: 'before-update', carryMembrane: true, hireLoss: 'cumulative', hireUpdate: 'per-period',
  });
  const evalAt = (model: string, extra: string[] = []) => {
    const ev = runCliProcess(['eval', '--model', path.join(model, 'model.safetensors'), '--data', data, '--attacks', 'clean', '--limit', '8', ...extra]);
    assert.equal(ev.status, 0, ev.stderr);
    return ev.stderr;
  };
  const same = evalAt(carried);
  assert.match(same, /trained: hire, T=4 = 2 periods of 2 steps, membrane carried across periods, cumulative loss, noise 0\.0314 cumulative before-update, warm-up 0\.5 epochs/);
  assert.doesNotMatch(same, /warning/);
  assert.match(evalAt(carried, ['--timesteps', '2']), /warning: the model was trained at T=4; evaluating at T=2/);

  const fromRest = path.join(tmp.path, 'hire-rest');
  assert.equal(runCliProcess(['train', '--method', 'hire', ...small(), '--epochs', '1', '--out', fromRest]).status, 0);
  assert.match(evalAt(fromRest), /warning: the model was trained as 2 runs of 2 steps each from rest .*steps 3\.\.4/);
});
