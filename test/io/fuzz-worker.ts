/** Runs the bounded fuzz in a worker so the test can stop it if a case hangs. */
import { parentPort, workerData } from 'node:worker_threads';
import { runFuzz } from './fuzz-lib.js';

const { seed, seconds, cases, heartbeat } = workerData as { seed: number; seconds: number; cases?: number; heartbeat: SharedArrayBuffer };
const beat = new Int32Array(heartbeat);
try {
  const summary = runFuzz({ seed, seconds, cases, onCase: (i) => Atomics.store(beat, 0, i) });
  parentPort!.postMessage({ ok: true, summary });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
