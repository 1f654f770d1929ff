/**
 * `hire-snn/browser` (dist/browser/hire-snn.js, through the package's exports) runs where there is
 * no `process` and no `Buffer`, reads a model from bytes and gives the numbers src/ gives on the
 * portable backend, bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { setBackend, getBackend } from '../../src/kernels/index.js';
import { portableBackend } from '../../src/kernels/portable/index.js';
import { readImageSet, imagePixels } from '../../src/explore/image-set.js';
import { loadExplorerModel } from '../../src/explore/model.js';
import { viewImage } from '../../src/explore/run.js';
import { FIXTURE_MODEL, FIXTURE_ARCH, ROOT } from './helpers.js';

const BUNDLE = path.join(ROOT, 'dist', 'browser', 'hire-snn.js');
const IMAGES = path.join(ROOT, 'web', 'cifar10-test-100.safetensors');

/** runs in a child: the files are read first, then Node's globals are taken away, then the bundle is imported */
const CHILD = `
import fs from 'node:fs';
const [model, images] = [fs.readFileSync(${JSON.stringify(FIXTURE_MODEL)}), fs.readFileSync(${JSON.stringify(IMAGES)})];
const write = (s) => fs.writeSync(1, s);
delete globalThis.process;
globalThis.Buffer = undefined;
const lib = await import('hire-snn/browser');
const set = lib.readImageSet(new Uint8Array(images));
const m = lib.loadExplorerModel(new Uint8Array(model), 'weights.safetensors', set, { arch: ${JSON.stringify(FIXTURE_ARCH)} });
const v = lib.viewImage(m.model, m.timesteps, lib.imagePixels(set, 2));
write(JSON.stringify({ backend: lib.getBackend().info().name, process: typeof process, logits: [...v.logits] }));
`;

function skip(): string | false {
  if (fs.existsSync(BUNDLE)) return false;
  if (process.env.CI === 'true') throw new Error(`${BUNDLE} is not built: npm run build`);
  return `${BUNDLE} is not built (npm run build)`;
}

test('hire-snn/browser: no process, no Buffer, the portable backend and src/\'s numbers', { skip: skip() }, () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { backend: string; process: string; logits: number[] };
  assert.equal(got.backend, 'portable');
  assert.equal(got.process, 'undefined');
  const previous = getBackend();
  setBackend(portableBackend);
  try {
    const set = readImageSet(fs.readFileSync(IMAGES));
    const m = loadExplorerModel(fs.readFileSync(FIXTURE_MODEL), 'weights.safetensors', set, { arch: FIXTURE_ARCH });
    assert.deepEqual(got.logits, [...viewImage(m.model, m.timesteps, imagePixels(set, 2)).logits]);
  } finally {
    setBackend(previous);
  }
});
