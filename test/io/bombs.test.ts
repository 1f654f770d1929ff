/**
 * Resource bombs (test/io/fuzz-bombs.ts) are refused with one CheckpointError, within the read
 * budget: in-process for every bomb at a small scale, and in a child process with a small V8
 * heap for the ones that spend the whole budget (an estimate in src/io/read-budget.ts that is
 * too low makes that child die of out-of-memory). A safetensors file with 130k tensors inspects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readWeights } from '../../src/io/weights.js';
import { CheckpointError } from '../../src/io/errors.js';
import { inspectLines } from '../../src/cli/inspect.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { concatChunks } from '../../src/io/atomic-write.js';
import type { NamedArray } from '../../src/io/arrays.js';
import { PICKLE_BOMBS, allBombs, pk, zipPt } from './fuzz-bombs.js';
import { tempDir } from './files.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

/** the issue's 48 KB file: 25 M EMPTY_LIST then 25 M - 1 APPEND, deflated */
function issueBomb(): Uint8Array {
  const n = 25_000_000;
  return zipPt(concatChunks([pk('\x80\x02'), new Uint8Array(n).fill(0x5d), new Uint8Array(n - 1).fill(0x61), pk('.')]), true);
}

test('every bomb is refused with one CheckpointError (or loads: shared-extras is a valid empty state_dict)', () => {
  for (const b of allBombs(50_000, 136 << 20)) {
    let outcome: string;
    try {
      inspectLines(b.name, readWeights(b.bytes));
      outcome = 'loaded';
    } catch (err) {
      assert.ok(err instanceof CheckpointError, `${b.name}: ${String(err)}`);
      assert.doesNotMatch(err.message, /\n/, b.name);
      outcome = err.message;
    }
    if (b.name.endsWith('/shared-extras')) assert.equal(outcome, 'loaded', b.name);
    if (/nest-|tuple-chain|marks/.test(b.name)) assert.match(outcome, /nesting deeper than 1000 levels/, b.name);
    if (/huge-pickle/.test(b.name)) assert.match(outcome, /inflating "archive\/data\.pkl" \(142606339 bytes\) needs more than the 128\.\d MiB of memory for pickles and headers that a \d+\.\d KiB checkpoint can need; refusing/);
    if (/huge-storage/.test(b.name)) assert.match(outcome, /inflating "archive\/data\/0" \(142606336 bytes\) needs more than the 128\.\d MiB of tensor data/);
    if (/safetensors\/deep/.test(b.name)) assert.match(outcome, /the header nests 100001 levels deep/);
  }
});

test('bombs that spend the whole budget stay within a 256 MB V8 heap (child process), with one line each', () => {
  const tmp = tempDir();
  try {
    const files: Record<string, Uint8Array> = { 'issue-48kb.pt': issueBomb() };
    for (const name of ['empty-dicts', 'memo-keys', 'strings']) files[`${name}.pt`] = zipPt(PICKLE_BOMBS[name](2_000_000), true);
    for (const [f, bytes] of Object.entries(files)) fs.writeFileSync(path.join(tmp, f), bytes);
    assert.ok(files['issue-48kb.pt'].byteLength < 60_000, `${files['issue-48kb.pt'].byteLength} bytes`);
    const r = spawnSync(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', path.join(here, 'bomb-child.ts'), ...Object.keys(files).map((f) => path.join(tmp, f))], {
      cwd: root, encoding: 'utf8', timeout: 300_000,
    });
    assert.equal(r.status, 0, `child died (signal ${r.signal}): ${r.stderr.slice(-2000)}`);
    const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file?: string; outcome?: string; message?: string }).filter((l) => l.file);
    assert.equal(results.length, Object.keys(files).length);
    for (const l of results) {
      assert.equal(l.outcome, 'rejected', `${l.file}: ${l.outcome} ${l.message}`);
      assert.match(l.message!, /\.pt: the pickle needs more than the 128\.\d MiB of memory for pickles and headers that a [\d.]+ [KM]iB checkpoint can need; refusing$/);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('inspect of a safetensors file with 130k tensors', () => {
  const one = (i: number): [string, NamedArray] => [`layer${i}.weight`, { dtype: 'F32', shape: [1], data: Float32Array.of(i) }];
  const bytes = concatChunks(encodeSafetensors(Array.from({ length: 130_000 }, (_, i) => one(i))));
  const lines = inspectLines('many.safetensors', readWeights(bytes));
  assert.match(lines.join('\n'), /130000 tensors, 130,000 values/);
  assert.ok(lines.includes('  layer129999.weight  F32  [1]'), lines.slice(-2).join('\n'));
});
