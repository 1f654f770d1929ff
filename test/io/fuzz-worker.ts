/** Runs fuzz cases in a worker so the caller can stop it if a case hangs (test/io/fuzz.test.ts, scripts/fuzz-pt.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { runFuzz } from './fuzz-lib.js';

const { seed, from, seconds, cases, heartbeat, collect } = workerData as { seed: number; from?: number; seconds?: number; cases?: number; heartbeat: SharedArrayBuffer; collect?: boolean };
const beat = new Int32Array(heartbeat);
const crashes: string[] = [];
try {
  // with `collect`, crashes are listed and the run goes on; without, the first one ends it
  const summary = runFuzz({ seed, from, seconds, cases, onCase: (i) => Atomics.store(beat, 0, i), ...(collect ? { onCrash: (m: string) => crashes.push(m) } : {}) });
  parentPort!.postMessage({ ok: true, summary, crashes });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err), crashes });
}
