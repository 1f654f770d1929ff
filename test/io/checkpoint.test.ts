/**
 * Our checkpoint's metadata is validated on load (issue 21 item 6): a hand-edited or corrupt
 * description gives one CheckpointError line naming the file and the field, before any model
 * is built or any data read; the spec it records must also fit the tensors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { saveCheckpoint, readCheckpoint } from '../../src/io/checkpoint.js';
import { loadModelFile } from '../../src/io/load.js';
import { writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import { CheckpointError } from '../../src/io/errors.js';
import { buildModel } from '../../src/snn/build.js';
import type { VggSpec } from '../../src/snn/spec.js';
import { NORMALIZATION } from '../../src/data/dataset.js';
import { Rng } from '../../src/data/rng.js';
import { runCliProcess } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { tempDir } from '../data/helpers.js';

const spec: VggSpec = { family: 'vgg', cfg: [4, 'A'], hidden: [8], labels: 10, inChannels: 3, imageSize: 32, kernel: 3, dropout: 0.2 };
const inputs = path.join(FIXTURES, 'vgg5-tiny-c10', 'case.safetensors');

/** a good checkpoint, then the same tensors under metadata changed by `edit` */
function withMeta(dir: string, name: string, edit: (meta: Record<string, unknown>) => unknown): string {
  const good = path.join(dir, 'good.safetensors');
  saveCheckpoint(good, buildModel(spec, NORMALIZATION.cifar10, new Rng(1)), { spec, timesteps: 4, normalization: NORMALIZATION.cifar10, method: 'snn', dataset: 'cifar10' });
  const { meta, tensors } = readCheckpoint(good);
  const file = path.join(dir, name);
  const edited = edit(structuredClone(meta) as unknown as Record<string, unknown>);
  writeSafetensorsFile(file, tensors, { 'hire-snn': typeof edited === 'string' ? edited : JSON.stringify(edited) });
  return file;
}

/** what, the edit, the message; `model`: only loading a model sees it (the description itself is valid) */
const cases: [string, (m: Record<string, unknown>) => unknown, RegExp, 'model'?][] = [
  ['timesteps -5', (m) => ({ ...m, timesteps: -5 }), /invalid hire-snn metadata: timesteps: .*(>=|greater).* 1 \(got -5\)/],
  ['timesteps 1e9', (m) => ({ ...m, timesteps: 1e9 }), /invalid hire-snn metadata: timesteps: .*10000 \(got 1000000000\)/],
  ['timesteps 2.5', (m) => ({ ...m, timesteps: 2.5 }), /timesteps: .*integer/],
  ['a string for the spec', (m) => ({ ...m, spec: 'vgg11' }), /invalid hire-snn metadata: spec: /],
  ['a zero conv width', (m) => ({ ...m, spec: { ...spec, cfg: [0, 'A'] } }), /spec\.cfg\.0: /],
  ['a normalisation for 1 channel', (m) => ({ ...m, normalization: { mean: [0.5], std: [0.5] } }), /normalization: normalization has one value per input channel/],
  ['a negative std', (m) => ({ ...m, normalization: { mean: [0, 0, 0], std: [1, -1, 1] } }), /normalization\.std\.1: /],
  ['an unknown method', (m) => ({ ...m, method: 'magic' }), /method: /],
  ['a newer version', (m) => ({ ...m, version: 99 }), /version 99 is newer than this hire-snn understands \(1\); upgrade hire-snn/],
  ['another format', (m) => ({ ...m, format: 'x' }), /unknown checkpoint format "x"/],
  ['metadata that is not JSON', () => '{"format": ', /the hire-snn metadata is not valid JSON/],
  ['a spec the tensors do not fit', (m) => ({ ...m, spec: { ...spec, hidden: [16] } }), /does not fit the model: .*shape mismatches: classifier\.0\.weight \[8,1024\] in the file vs \[16,1024\]/, 'model'],
];

test('bad checkpoint metadata: one CheckpointError line naming the file and the field', () => {
  const dir = tempDir('ckpt-meta');
  try {
    for (const [what, edit, message, only] of cases) {
      const file = withMeta(dir.path, `${what.replace(/\W+/g, '-')}.safetensors`, edit);
      const loads = [() => loadModelFile(file, { normalization: NORMALIZATION.cifar10 })];
      if (only !== 'model') loads.push(() => readCheckpoint(file) as never);
      for (const load of loads) {
        assert.throws(load, (e: unknown) => {
          assert.ok(e instanceof CheckpointError, `${what}: ${String(e)}`);
          assert.ok(e.message.startsWith(file), `${what}: names the file: ${e.message}`);
          assert.match(e.message, message, what);
          assert.doesNotMatch(e.message, /\n/, `${what}: one line`);
          return true;
        });
      }
    }
  } finally {
    dir.cleanup();
  }
});

test('eval of a checkpoint with timesteps -5 or 1e9: one line, exit 1, no work started', () => {
  const dir = tempDir('ckpt-meta-cli');
  try {
    for (const t of [-5, 1e9]) {
      const file = withMeta(dir.path, `t${t}.safetensors`, (m) => ({ ...m, timesteps: t }));
      const r = runCliProcess(['eval', '--model', file, '--inputs', inputs, '--attacks', 'clean']);
      assert.equal(r.status, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], new RegExp(`^hire-snn: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid hire-snn metadata: timesteps: `));
      assert.equal(r.stdout, '');
    }
  } finally {
    dir.cleanup();
  }
});
