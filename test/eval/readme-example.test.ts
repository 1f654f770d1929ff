/**
 * The README's library example runs as written: its code block, with `hire-snn` resolved to
 * this checkout and the model path pointed at a checkpoint made from a fixture, on a small
 * CIFAR-10 test split in the official layout.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir, writeFiles, cifarRecords, CIFAR10_NAMES } from '../data/helpers.js';
import { loadModelFile } from '../../src/io/load.js';
import { parseArch } from '../../src/snn/arch.js';
import { saveCheckpoint } from '../../src/io/checkpoint.js';
import { NORMALIZATION } from '../../src/data/dataset.js';
import { FIXTURES } from '../helpers/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = tempDir('readme-example');
after(() => tmp.cleanup());

test('the README library example runs', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const m = /<!-- library example[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README has the library example block');
  const modelPath = /model: '([^']+)'/.exec(m[1])?.[1];
  assert.ok(modelPath, 'the example names a model file');

  const data = path.join(tmp.path, 'data');
  const files: Record<string, Uint8Array | string> = { 'cifar-10-batches-bin/batches.meta.txt': CIFAR10_NAMES.join('\n') + '\n' };
  for (let b = 1; b <= 5; b++) files[`cifar-10-batches-bin/data_batch_${b}.bin`] = cifarRecords([[b % 10]], b);
  files['cifar-10-batches-bin/test_batch.bin'] = cifarRecords(Array.from({ length: 80 }, (_, i) => [i % 10]), 9);
  writeFiles(data, files);
  const loaded = loadModelFile(path.join(FIXTURES, 'vgg5-tiny-c10', 'state_dict_zip.pt'), { arch: parseArch('8,A,16,16,A'), normalization: NORMALIZATION.cifar10 });
  const model = path.join(tmp.path, 'model.safetensors');
  saveCheckpoint(model, loaded.model, { spec: loaded.spec, timesteps: 2, normalization: NORMALIZATION.cifar10, dataset: 'cifar10', method: 'snn' });

  const script = path.join(tmp.path, 'example.mts');
  fs.writeFileSync(script, m[1].replace("from 'hire-snn'", `from ${JSON.stringify(path.join(root, 'src/index.ts'))}`).replace(modelPath, model));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8', env: { ...process.env, HIRE_SNN_DATA: data, CI: '1' }, timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /FGSM top-1 \d+(\.\d+)?% of 64 \(eps 0\.031\)/);
  assert.match(r.stdout, /protocol: cifar10 test, n=64/);
});
