/**
 * Loads each file named on the command line as `hire-snn inspect` does and prints one JSON line
 * per file ({ file, outcome, message, ms }), then one with the process's peak RSS. Run in a child
 * process with a small heap limit (test/io/bombs.test.ts): an estimate too low crashes it.
 */
import fs from 'node:fs';
import { readWeightsFile } from '../../src/io/load.js';
import { inspectLines } from '../../src/cli/inspect.js';
import { CheckpointError } from '../../src/io/errors.js';

for (const file of process.argv.slice(2)) {
  const t0 = performance.now();
  let outcome = 'loaded';
  let message = '';
  try {
    inspectLines(file, readWeightsFile(file)).join('\n');
  } catch (err) {
    outcome = err instanceof CheckpointError ? 'rejected' : 'crash';
    message = err instanceof Error ? err.message : String(err);
  }
  fs.writeSync(1, `${JSON.stringify({ file, outcome, message, ms: performance.now() - t0 })}\n`);
}
fs.writeSync(1, `${JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
