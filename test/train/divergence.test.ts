/**
 * Training stops with one clear error as soon as the loss or a parameter stops being finite,
 * and the run folder keeps the last state saved before it (never the diverged one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runTraining } from '../../src/train/run.js';
import { readCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import type { NamedArray } from '../../src/io/arrays.js';
import { loadState } from '../../src/train/state.js';
import { firstNonFinite } from '../../src/train/finite-check.js';
import { tempDir } from '../data/helpers.js';
import { config, dataset } from './helpers.js';

// one batch per epoch: the step that overflows the weights is the last one before the save
const datasets = { train: dataset('train', 8, 1), test: dataset('test', 8, 2) };

function allFinite(tensors: Map<string, NamedArray>): boolean {
  return [...tensors.values()].every((t) => firstNonFinite(t.data as Float32Array) < 0);
}

for (const method of ['ann', 'snn', 'hire'] as const) {
  test(`${method}: an update that overflows the weights stops the run; the folder keeps the starting model`, async (t) => {
    const tmp = tempDir(`diverge-${method}`);
    t.after(() => tmp.cleanup());
    const out = path.join(tmp.path, 'run');
    const c = config(method, { epochs: 1, lr: 1e38, optimizer: 'adam', weightDecay: 0 });
    await assert.rejects(runTraining({ config: c, out, resume: false }, { datasets }), (err: Error) => {
      assert.match(err.message, /^training diverged at epoch 1, batch 1 \(.*(Infinity|NaN).*\); nothing after it was saved: the run folder keeps the starting model; lower --lr/);
      return true;
    });
    const saved = readCheckpoint(path.join(out, 'model.safetensors'));
    assert.ok(allFinite(saved.tensors), 'the saved model is finite');
    const state = loadState(out);
    assert.deepEqual([state.meta.progress.epoch, state.meta.progress.batch], [0, 0]);
  });
}

test('a later divergence names the batch; the folder keeps the last timed save before it', async (t) => {
  const tmp = tempDir('diverge-later');
  t.after(() => tmp.cleanup());
  const out = path.join(tmp.path, 'run');
  let clock = 0;
  // the timer saves after every step (one minute per clock reading); SGD at 1e30 gives NaN at batch 2
  const c = config('ann', { epochs: 3, lr: 1e30, optimizer: 'sgd', weightDecay: 0, saveEveryMinutes: 1 });
  const run = runTraining({ config: c, out, resume: false }, { datasets: { train: dataset('train', 24, 1), test: datasets.test }, now: () => (clock += 60_000) });
  await assert.rejects(run, (err: Error) => {
    assert.match(err.message, /^training diverged at epoch 1, batch 2 \(classifier\.0\.weight\[0\] = NaN\); nothing after it was saved: the run folder keeps the state after 0 epochs and 1 batch;/);
    return true;
  });
  assert.ok(allFinite(readCheckpoint(path.join(out, 'model.safetensors')).tensors));
  assert.deepEqual([loadState(out).meta.progress.epoch, loadState(out).meta.progress.batch], [0, 1]);
});

test('--init with non-finite weights is refused before a run folder exists', async (t) => {
  const tmp = tempDir('diverge-init');
  t.after(() => tmp.cleanup());
  const ann = await runTraining({ config: config('ann', { epochs: 0 }), out: path.join(tmp.path, 'ann'), resume: false }, { datasets });
  const params = [...ann.model.params];
  params[1][1].data[3] = NaN;
  const bad = path.join(tmp.path, 'nan.safetensors');
  saveCheckpoint(bad, ann.model, { spec: ann.model.spec, timesteps: 4, normalization: ann.model.normalization, method: 'ann' });
  const out = path.join(tmp.path, 'snn');
  const c = config('snn', { arch: undefined, hidden: undefined, init: bad });
  await assert.rejects(runTraining({ config: c, out, resume: false }, { datasets }), (err: Error) => {
    assert.equal(err.message, `--init ${bad}: the weights are not finite (${params[1][0]}[3] = NaN); refusing to train from them`);
    return true;
  });
  assert.equal(fs.existsSync(out), false);
});
