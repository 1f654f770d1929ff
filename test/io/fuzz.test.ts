/**
 * Bounded fuzzing of the checkpoint readers (the long run is scripts/fuzz-pt.ts): mutated
 * fixture files must load or be rejected with a CheckpointError, never crash with another
 * exception, hang, or allocate without bound. Cases run in a worker watched for hangs.
 * HIRE_SNN_FUZZ_SECONDS / HIRE_SNN_FUZZ_SEED change the budget and the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import type { Summary } from './fuzz-lib.js';

const SECONDS = Number(process.env.HIRE_SNN_FUZZ_SECONDS ?? 6);
const SEED = Number(process.env.HIRE_SNN_FUZZ_SEED ?? 20240611);
/** a single case taking this long counts as a hang */
const HANG_MS = 5000;

test(`mutated checkpoints load or fail cleanly (${SECONDS} s, seed ${SEED})`, { timeout: (SECONDS + 60) * 1000 }, async () => {
  const heartbeat = new SharedArrayBuffer(4);
  const beat = new Int32Array(heartbeat);
  // workers do not inherit tsx's loader: register it in the worker, then load the TypeScript entry
  const entry = new URL('./fuzz-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { seed: SEED, seconds: SECONDS, heartbeat } });
  let last = -1;
  let since = Date.now();
  const result = await new Promise<{ ok: boolean; summary?: Summary; message?: string }>((resolve, reject) => {
    const watch = setInterval(() => {
      const now = Atomics.load(beat, 0);
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since > HANG_MS) {
        clearInterval(watch);
        void worker.terminate();
        reject(new Error(`case #${now} (seed ${SEED}) ran for over ${HANG_MS} ms: a hang`));
      }
    }, 250);
    worker.once('message', (m: { ok: boolean; summary?: Summary; message?: string }) => {
      clearInterval(watch);
      resolve(m);
    });
    worker.once('error', (err) => {
      clearInterval(watch);
      reject(err);
    });
  });
  await worker.terminate();
  assert.ok(result.ok, result.message);
  const s = result.summary!;
  assert.ok(s.cases > 100, `only ${s.cases} cases ran`);
  assert.ok(s.maxCaseMs < HANG_MS, `slowest case ${s.maxCaseMs} ms: ${s.slowest}`);
  assert.ok(s.maxArrayBuffersMb < 256, `array buffers reached ${s.maxArrayBuffersMb} MiB`);
  assert.ok((s.outcomes.loaded ?? 0) > 0 && Object.keys(s.outcomes).length > 3, JSON.stringify(s.outcomes));
});
