/** Finding the state_dict in a checkpoint, and `hire-snn inspect`. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findStateDict } from '../../src/io/state-dict.js';
import { readWeightsFile } from '../../src/io/load.js';
import { readWeights } from '../../src/io/weights.js';
import { inspectLines } from '../../src/cli/inspect.js';
import { PyDict } from '../../src/io/pickle-values.js';
import type { NamedArray } from '../../src/io/arrays.js';
import { encodeTorchZip } from '../../src/io/torch-pt-write.js';
import { encodeZip } from '../../src/io/zip-write.js';
import { concatChunks } from '../../src/io/atomic-write.js';
import { fixture, tempDir } from './files.js';

const t = (v: number): NamedArray => ({ dtype: 'F32', shape: [], data: Float32Array.of(v) });

describe('findStateDict', () => {
  test('top level, under "state_dict" or "model", module. prefixes stripped', () => {
    const sd = new PyDict(true).set('module.a', t(1)).set('b', t(2));
    const top = findStateDict(sd);
    assert.equal(top.location, '');
    assert.deepEqual([...top.tensors.keys()], ['a', 'b']);
    assert.equal(top.strippedPrefix, 'module.');
    for (const key of ['state_dict', 'model']) {
      const r = findStateDict(new PyDict().set('epoch', 3).set(key, sd));
      assert.equal(r.location, key);
      assert.deepEqual(r.extras.map((e) => [e.key, e.summary]), [['epoch', '3']]);
    }
  });

  test('clear errors when there is none, or it holds non-tensors, or prefixes collide', () => {
    assert.throws(() => findStateDict(new PyDict().set('epoch', 3)), /no state_dict found: the top-level dict has keys 'epoch'/);
    assert.throws(() => findStateDict([1, 2]), /no state_dict found: the checkpoint holds \[1, 2\]/);
    assert.throws(() => findStateDict(new PyDict().set('state_dict', new PyDict().set('a', t(1)).set('n', 5))), /"state_dict" holds non-tensor entries: 'n' \(5\)/);
    assert.throws(() => findStateDict(new PyDict().set('module.a', t(1)).set('a', t(2))), /keys "a" and "module\.a" both present/);
    assert.throws(() => readWeights(new TextEncoder().encode('{"not": "a checkpoint"}')), /not a checkpoint/);
  });
});

describe('inspect', () => {
  test('a trainer checkpoint: format, tensors, thresholds, epoch, accuracy, optimizer state', () => {
    const file = fixture('vgg5-tiny-c10', 'trainer_checkpoint_legacy.pt');
    const text = inspectLines(file, readWeightsFile(file)).join('\n');
    assert.match(text, /^format +torch\.save legacy format/m);
    assert.match(text, /^state_dict +under "state_dict", "module\." prefix stripped; 16 tensors, 73,954 values$/m);
    assert.match(text, /^architecture +not inferred: cannot tell where the pools go.*--arch/m);
    assert.match(text, /^thresholds +t0=2\.25187 t3=0\.350069 t6=0\.544535 t9=0\.0374517 t12=0\.0126765$/m);
    assert.match(text, /^leaks +l0=0\.9799 /m);
    assert.match(text, /^ {2}features\.0\.weight +F32 +\[8,3,3,3\]$/m);
    assert.match(text, /^ {2}threshold\.t0 +F32 +\[\]$/m);
    assert.match(text, /^ {2}accuracy +0\.4321$/m);
    assert.match(text, /^ {2}epoch +7$/m);
    assert.match(text, /^ {2}optimizer +Adam-style optimizer: 1 param group, state for 16 params \(step, exp_avg, exp_avg_sq, max_exp_avg_sq\)$/m);
    assert.match(text, /group 0: lr=0\.0001 betas=\(0\.9, 0\.999\) eps=1e-8 weight_decay=0 amsgrad=True .*params=16$/m);
    assert.match(text, /step: 1 \(all params\)$/m);
    assert.match(text, /^ {2}thresholds +list of 5: \[3\.21682, 0\.499956, 0\.77805, 0\.0536452, 0\.0182522\]$/m);
    assert.match(text, /^ {2}timesteps +4$/m);
    assert.match(text, /^ {2}leak +list of 5: /m);
    assert.match(text, /^ {2}activation +'Linear'$/m);
  });

  test('with --arch the architecture is checked and shown; ResNet is inferred', () => {
    const file = fixture('vgg5-tiny-c10', 'state_dict_zip.pt');
    const text = inspectLines(file, readWeightsFile(file), { arch: '8,A,16,16,A' }).join('\n');
    assert.match(text, /^architecture +vgg 8,A,16,16,A; classifier 64 -> 64 -> 10 \(10 labels\); input 3x32x32, kernel 3 \(from --arch\)$/m);
    const r = fixture('resnet20-tiny-c10', 'state_dict_zip.pt');
    assert.match(inspectLines(r, readWeightsFile(r)).join('\n'), /^architecture +resnet20: stem 8,8,8; widths 8,16,32,64; blocks 2,2,2,2; strides 1,2,2,2; 10 labels/m);
  });

  test('the command: report on stdout, one-line errors and a non-zero exit', () => {
    const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.ts');
    const dir = tempDir();
    const evil = path.join(dir, 'evil.pt');
    const good = path.join(dir, 'good.pt');
    fs.writeFileSync(good, concatChunks(encodeTorchZip(new Map([['threshold.t0', t(1)]]))));
    const pickle = Uint8Array.from([0x80, 2, ...new TextEncoder().encode('cposix\nsystem\n)R.')]);
    fs.writeFileSync(evil, concatChunks(encodeZip([{ name: 'archive/data.pkl', chunks: [pickle] }, { name: 'archive/version', chunks: [Uint8Array.of(0x33, 0x0a)] }])));
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, 'inspect', ...args], { encoding: 'utf8' });
    const ok = run(good);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^format +torch\.save zip format/m);
    const bad = run(evil);
    assert.equal(bad.status, 1);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^hire-snn: .*evil\.pt: pickle byte \d+: refusing to load "posix\.system": only tensors and plain containers are allowed\n$/);
    assert.throws(() => readWeightsFile(path.join(dir, 'nope.pt')), /nope\.pt: no such file$/);
    assert.throws(() => readWeightsFile(dir), /is a directory/);
    fs.rmSync(dir, { recursive: true });
  });
});
