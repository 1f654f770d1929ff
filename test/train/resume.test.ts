/**
 * Resuming reproduces the uninterrupted run exactly: same parameters bit for bit, same log
 * (apart from wall-clock fields), whether the run was stopped cleanly (Ctrl-C: finish the step,
 * save) at any point, or killed (only what the last timed/epoch save holds survives).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runTraining, type TrainOutcome } from '../../src/train/run.js';
import type { TrainConfig } from '../../src/train/config.js';
import { loadState } from '../../src/train/state.js';
import { readCheckpoint } from '../../src/io/checkpoint.js';
import type { LogEntry } from '../../src/train/log.js';
import { tempDir } from '../data/helpers.js';
import { config, dataset } from './helpers.js';

const datasets = { train: dataset('train', 20, 1), test: dataset('test', 6, 2) };

/** a clock that advances one minute per reading: with saveEveryMinutes 1, the timer saves after every step */
function minuteClock(): () => number {
  let t = 0;
  return () => (t += 60_000);
}

const strip = (log: LogEntry[]) => log
  .filter((e) => e.event === 'epoch' || e.event === 'conversion')
  .map((e) => {
    const { time: _t, seconds: _s, imagesPerSecond: _i, ...rest } = e as unknown as Record<string, unknown>;
    return rest;
  });

function assertSameRun(a: TrainOutcome, b: TrainOutcome): void {
  for (const [k, p] of a.model.params) assert.deepEqual(b.model.params.get(k)!.data, p.data, `parameter ${k}`);
  // what eval reads: the saved checkpoints are the same
  const ca = readCheckpoint(a.modelFile);
  const cb = readCheckpoint(b.modelFile);
  for (const [k, t] of ca.tensors) assert.deepEqual(cb.tensors.get(k)!.data, t.data, `checkpoint ${k}`);
  assert.deepEqual(strip(loadState(b.dir).meta.progress.history), strip(loadState(a.dir).meta.progress.history));
  assert.deepEqual({ ...b.metrics, trainSeconds: 0 }, { ...a.metrics, trainSeconds: 0 });
}

async function uninterrupted(dir: string, c: TrainConfig): Promise<TrainOutcome> {
  const r = await runTraining({ config: c, out: dir, resume: false }, { datasets });
  assert.equal(r.status, 'finished');
  return r;
}

for (const method of ['ann', 'snn', 'hire'] as const) {
  test(`${method}: stop after any step or during evaluation, resume in fresh objects -> identical run`, async () => {
    const tmp = tempDir(`resume-${method}`);
    try {
      const c = config(method);
      const reference = await uninterrupted(path.join(tmp.path, 'ref'), c);
      // stop points: mid-epoch, at the epoch's end, in the evaluation after it, in the next epoch
      for (const stopAt of method === 'hire' ? [1, 3, 4, 6] : [2, 5]) {
        const dir = path.join(tmp.path, `stop${stopAt}`);
        let calls = 0;
        const first = await runTraining({ config: c, out: dir, resume: false }, { datasets, shouldStop: () => ++calls >= stopAt });
        assert.equal(first.status, 'stopped');
        const second = await runTraining({ config: config('ann', { epochs: 99 }), out: dir, resume: true }, { datasets });
        assert.equal(second.status, 'finished');
        assertSameRun(reference, second);
        const resumes = loadState(dir).meta.progress.history.filter((e) => e.event === 'resume');
        assert.equal(resumes.length, 1);
      }
    } finally {
      tmp.cleanup();
    }
  });
}

test('hire: killed mid-run (only the last timed save survives), resumed -> identical run', async () => {
  const tmp = tempDir('resume-kill');
  try {
    const c = config('hire', { saveEveryMinutes: 1 });
    const reference = await uninterrupted(path.join(tmp.path, 'ref'), c);
    const dir = path.join(tmp.path, 'killed');
    let calls = 0;
    await assert.rejects(
      runTraining({ config: c, out: dir, resume: false }, {
        datasets, now: minuteClock(),
        shouldStop: () => {
          if (++calls === 5) throw new Error('killed');
          return false;
        },
      }),
      /killed/,
    );
    const saved = loadState(dir).meta.progress;
    assert.ok(saved.epoch * 3 + saved.batch >= 3, `the timer saved the progress (at epoch ${saved.epoch}, batch ${saved.batch})`);
    const resumed = await runTraining({ config: c, out: dir, resume: true }, { datasets });
    assertSameRun(reference, resumed);
  } finally {
    tmp.cleanup();
  }
});

test('snn from an ANN checkpoint: conversion runs once, before the first save; a resumed run does not redo it', async () => {
  const tmp = tempDir('resume-convert');
  try {
    const ann = await uninterrupted(path.join(tmp.path, 'ann'), config('ann', { epochs: 1 }));
    const c = config('snn', { arch: undefined, hidden: undefined, init: ann.modelFile });
    const reference = await uninterrupted(path.join(tmp.path, 'ref'), c);
    assert.ok(reference.conversion && reference.conversion.layers.length === 3, 'three spiking layers converted');
    for (const l of reference.conversion.layers) assert.ok(Math.abs(l.threshold - Math.fround(l.raw * 0.7)) < 1e-6);
    const dir = path.join(tmp.path, 'stopped');
    let calls = 0;
    const first = await runTraining({ config: c, out: dir, resume: false }, { datasets, shouldStop: () => ++calls >= 2 });
    assert.equal(first.status, 'stopped');
    const second = await runTraining({ config: c, out: dir, resume: true }, { datasets });
    assertSameRun(reference, second);
    const meta = readCheckpoint(second.modelFile).meta;
    assert.equal(meta.method, 'snn');
    assert.equal(meta.timesteps, 4);
    assert.ok(typeof meta.metrics?.testTop1 === 'number');
    assert.ok(fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"conversion"')).length === 1);
  } finally {
    tmp.cleanup();
  }
});
