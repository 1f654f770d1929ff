/** Reading real torch.save files (both formats) and writing files torch.load accepts. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readTorchPt } from '../../src/io/torch-pt.js';
import { encodeTorchLegacy, encodeTorchZip, writeTorchLegacyFile, writeTorchZipFile } from '../../src/io/torch-pt-write.js';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { readTorchPtFile, readWeightsFile } from '../../src/io/load.js';
import { concatChunks } from '../../src/io/atomic-write.js';
import { type NamedArray, isNamedArray, toFloat32 } from '../../src/io/arrays.js';
import { PyDict, PyTuple } from '../../src/io/pickle-values.js';
import { ZipReader } from '../../src/io/zip-read.js';
import { readBudget } from '../../src/io/read-budget.js';
import { ALL_FIXTURES, VGG_FIXTURES, DATA, assertSameTensor, assertSameTensors, fixture, ptFiles, tempDir } from './files.js';

function stateDictOf(file: string): Map<string, NamedArray> {
  return readWeightsFile(file).stateDict.tensors;
}

describe('fixture .pt files', () => {
  for (const name of ALL_FIXTURES) {
    const weights = readSafetensorsFile(fixture(name, 'weights.safetensors')).tensors;
    for (const file of ptFiles(name).filter((f) => path.basename(f).startsWith('state_dict'))) {
      test(`${name}/${path.basename(file)} equals weights.safetensors exactly`, () => {
        const sd = stateDictOf(file);
        assertSameTensors(sd, weights, path.basename(file), false);
        // the seed's thresholds and leaks are 0-dim in torch files
        for (const [k, t] of sd) if (k.startsWith('threshold.') || k.startsWith('leak.')) assert.deepEqual(t.shape, []);
      });
    }
  }

  for (const name of VGG_FIXTURES) {
    test(`${name} trainer checkpoint: module. prefix, one Adam step from weights.safetensors`, () => {
      const ck = readWeightsFile(fixture(name, 'trainer_checkpoint_legacy.pt'));
      assert.equal(ck.format, 'torch-legacy');
      assert.equal(ck.stateDict.location, 'state_dict');
      assert.equal(ck.stateDict.strippedPrefix, 'module.');
      const weights = readSafetensorsFile(fixture(name, 'weights.safetensors')).tensors;
      assert.deepEqual([...ck.stateDict.tensors.keys()].sort(), [...weights.keys()].sort());
      // the trainer's weights are the fixture's after one AMSGrad step, with the optimizer state saved:
      // p1 = p0 - lr * (m / (1 - b1)) / (sqrt(vmax / (1 - b2)) + eps), param i <-> state i in state_dict order
      const top = ck.value as PyDict;
      const opt = top.get('optimizer') as PyDict;
      const group = (opt.get('param_groups') as PyDict[])[0];
      const lr = group.get('lr') as number;
      const [b1, b2] = (group.get('betas') as PyTuple).items as number[];
      const eps = group.get('eps') as number;
      const state = opt.get('state') as PyDict;
      assert.equal(state.size, weights.size);
      [...ck.stateDict.tensors].forEach(([k, p1], i) => {
        const s = state.get(i) as PyDict;
        assert.equal(toFloat32(s.get('step') as NamedArray)[0], 1);
        const m = toFloat32(s.get('exp_avg') as NamedArray);
        const v = toFloat32(s.get('max_exp_avg_sq') as NamedArray);
        const p0 = toFloat32(weights.get(k)!);
        const got = toFloat32(p1);
        let worst = 0;
        for (let j = 0; j < got.length; j++) {
          const want = p0[j] - (lr * (m[j] / (1 - b1))) / (Math.sqrt(v[j] / (1 - b2)) + eps);
          worst = Math.max(worst, Math.abs(got[j] - want));
        }
        assert.ok(worst < 1e-7, `${k}: off by ${worst}`);
      });
      assert.equal(top.get('epoch'), 7);
      assert.equal(top.get('timesteps'), name === 'vgg5-tiny-c10' ? 4 : 5);
      assert.equal(top.get('activation'), 'Linear');
      assert.ok(Array.isArray(top.get('thresholds')));
    });
  }
});

describe('strided, shared and typed storages (files written by torch 1.13)', () => {
  const x = Float32Array.from({ length: 24 }, (_, i) => i); // arange(24).reshape(4, 6)
  const at = (r: number, c: number) => x[r * 6 + c];
  for (const file of ['strided_zip.pt', 'strided_legacy.pt']) {
    test(file, () => {
      const pt = readTorchPtFile(path.join(DATA, file));
      assert.equal(pt.format, file.includes('zip') ? 'torch-zip' : 'torch-legacy');
      const d = pt.value as PyDict;
      assert.ok(d instanceof PyDict && d.ordered);
      const f = (k: string) => Array.from(toFloat32(d.get(k) as NamedArray));
      const shape = (k: string) => (d.get(k) as NamedArray).shape;
      const ints = (k: string) => Array.from((d.get(k) as NamedArray).data as ArrayLike<number>);
      assert.deepEqual(f('x'), Array.from(x));
      assert.deepEqual(shape('t'), [6, 4]);
      assert.deepEqual(f('t'), Array.from({ length: 24 }, (_, i) => at(i % 4, Math.floor(i / 4))));
      assert.deepEqual(shape('slice'), [2, 3]);
      assert.deepEqual(f('slice'), [8, 9, 10, 14, 15, 16]);
      assert.deepEqual(f('row'), [12, 13, 14, 15, 16, 17]);
      assert.deepEqual(f('col'), [3, 9, 15, 21]);
      assert.deepEqual(shape('scalar'), []);
      assert.deepEqual(f('scalar'), [7]);
      assert.equal((d.get('i64') as NamedArray).dtype, 'I64');
      assert.deepEqual(Array.from((d.get('i64') as NamedArray).data as BigInt64Array), [-2n, -1n, 0n, 1n, 2n]);
      assert.deepEqual(ints('i32'), [0, -3, -6, -9]);
      assert.equal((d.get('f16') as NamedArray).dtype, 'F16');
      assert.deepEqual(f('f16'), [0, 1, 2, 3, 4, 5]);
      assert.equal((d.get('bf16') as NamedArray).dtype, 'BF16');
      assert.deepEqual(f('bf16'), [6, 7, 8, 9, 10, 11]);
      assert.equal((d.get('f64') as NamedArray).dtype, 'F64');
      assert.deepEqual(f('f64'), [0, 6, 12, 18]);
      assert.deepEqual(ints('u8'), [0, 40, 80, 120, 160, 200]);
      assert.deepEqual(ints('i8'), [-2, -1, 0, 1]);
      assert.deepEqual(ints('i16'), [0, 1000, 2000]);
      assert.equal((d.get('bool') as NamedArray).dtype, 'BOOL');
      assert.deepEqual(ints('bool'), [0, 0, 0, 1, 1, 1]);
      assert.deepEqual(f('param'), [18, 19, 20, 21, 22, 23]);
      assert.deepEqual(shape('empty'), [0, 3]);
      assert.equal(d.get('big'), 2 ** 40 + 5);
      assert.equal(d.get('neg'), -(2n ** 70n));
      const tuple = d.get('tuple') as PyTuple;
      assert.ok(tuple instanceof PyTuple);
      assert.deepEqual(tuple.items, [1, 2.5, 'three', null, true]);
      const nested = d.get('nested') as PyDict;
      assert.deepEqual(nested.get('a'), [1, [2, [3]]]);
      assert.ok((nested.get('b') as PyDict).get('c') instanceof PyTuple);
      assert.equal(d.get('bytes_free_str'), 'héllo ✓');
    });
  }

  test('zip storages are views into the file buffer, not copies', () => {
    const bytes = fs.readFileSync(fixture('vgg5-tiny-c10', 'state_dict_zip.pt'));
    const sd = readTorchPt(bytes).value as PyDict;
    for (const t of sd.values()) assert.equal((t as NamedArray).data.buffer, bytes.buffer);
  });

  test('legacy files are aligned in place so storages are views too', () => {
    const sd = readTorchPtFile(fixture('vgg11-tiny-c100', 'state_dict_legacy.pt')).value as PyDict;
    const buffers = new Set([...sd.values()].map((t) => (t as NamedArray).data.buffer));
    assert.equal(buffers.size, 1);
  });
});

describe('writers', () => {
  test('zip round trip of every fixture state_dict: identical tensors, torch layout', () => {
    for (const name of ALL_FIXTURES) {
      const sd = stateDictOf(fixture(name, 'state_dict_zip.pt'));
      const bytes = concatChunks(encodeTorchZip(sd));
      const back = readTorchPt(bytes);
      assert.equal(back.format, 'torch-zip');
      assertSameTensors((back.value as PyDict) as Map<string, NamedArray>, sd, name);
      const zip = new ZipReader(bytes);
      assert.deepEqual([...zip.entries.keys()].slice(0, 2), ['archive/data.pkl', 'archive/data/0']);
      assert.equal(new TextDecoder().decode(zip.read('archive/version', readBudget(bytes.byteLength).meta)), '3\n');
      for (const e of zip.entries.values()) if (e.name.includes('/data/')) assert.equal(e.dataOffset % 64, 0, `${e.name} aligned`);
    }
  });

  test('zip64 records read back the same', () => {
    const sd = stateDictOf(fixture('vgg5-tiny-c10', 'state_dict_legacy.pt'));
    const back = readTorchPt(concatChunks(encodeTorchZip(sd, { forceZip64: true, archiveName: 'vgg5' })));
    assertSameTensors(back.value as Map<string, NamedArray>, sd, 'zip64');
  });

  test('legacy round trip of a whole trainer checkpoint', () => {
    const ck = readTorchPtFile(fixture('vgg5-tiny-c10', 'trainer_checkpoint_legacy.pt'));
    const back = readTorchPt(concatChunks(encodeTorchLegacy(ck.value)));
    assert.equal(back.format, 'torch-legacy');
    const a = ck.value as PyDict;
    const b = back.value as PyDict;
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const k of ['accuracy', 'epoch', 'thresholds', 'timesteps', 'leak', 'activation']) assert.deepEqual(b.get(k), a.get(k), k);
    assertSameTensors(b.get('state_dict') as Map<string, NamedArray>, a.get('state_dict') as Map<string, NamedArray>, 'state_dict');
    const sa = (a.get('optimizer') as PyDict).get('state') as PyDict;
    const sb = (b.get('optimizer') as PyDict).get('state') as PyDict;
    assert.equal(sb.size, sa.size);
    for (const [i, s] of sa) for (const [k, t] of s as PyDict) assertSameTensor((sb.get(i) as PyDict).get(k) as NamedArray, t as NamedArray, `state ${String(i)} ${String(k)}`);
    const ga = ((a.get('optimizer') as PyDict).get('param_groups') as PyDict[])[0];
    const gb = ((b.get('optimizer') as PyDict).get('param_groups') as PyDict[])[0];
    assert.deepEqual(gb.get('betas'), ga.get('betas'));
    assert.deepEqual(gb.get('params'), ga.get('params'));
  });

  test('a seed-style legacy VGG11 checkpoint made with the writer reads back', () => {
    const sd = stateDictOf(fixture('vgg11-tiny-c100', 'weights.safetensors'));
    const prefixed = new Map([...sd].map(([k, v]) => [`module.${k}`, { ...v, shape: v.shape.length === 1 && v.shape[0] === 1 && /^(threshold|leak)\./.test(k) ? [] : v.shape }]));
    const dir = tempDir();
    const file = path.join(dir, 'vgg11.pth');
    writeTorchLegacyFile(file, { epoch: 3, accuracy: 51.5, state_dict: prefixed, thresholds: [1.5, 0.5], timesteps: 5, leak: [1.0, 0.9], activation: 'Linear' });
    const back = readWeightsFile(file);
    assert.equal(back.format, 'torch-legacy');
    assertSameTensors(back.stateDict.tensors, sd, 'vgg11 legacy', false);
    assert.deepEqual(back.stateDict.extras.map((e) => e.key), ['epoch', 'accuracy', 'thresholds', 'timesteps', 'leak', 'activation']);
    assert.deepEqual(fs.readdirSync(dir), ['vgg11.pth'], 'no temp files left behind');
    fs.rmSync(dir, { recursive: true });
  });

  test('shared arrays are written as one storage; files are replaced atomically', () => {
    const data = Float32Array.from([1, 2, 3, 4]);
    const a: NamedArray = { dtype: 'F32', shape: [2, 2], data };
    const b: NamedArray = { dtype: 'F32', shape: [4], data };
    const dir = tempDir();
    const file = path.join(dir, 'shared.pt');
    fs.writeFileSync(file, 'old');
    writeTorchZipFile(file, new Map([['a', a], ['b', b]]));
    const pt = readTorchPtFile(file);
    assert.equal(pt.storages, 1);
    const m = pt.value as Map<string, NamedArray>;
    assert.deepEqual(Array.from(toFloat32(m.get('b')!)), [1, 2, 3, 4]);
    assert.equal(m.get('a')!.data.buffer, m.get('b')!.data.buffer);
    assert.deepEqual(fs.readdirSync(dir), ['shared.pt']);
    fs.rmSync(dir, { recursive: true });
  });

  test('values the writer cannot express are refused', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    assert.throws(() => encodeTorchZip(cyclic), /contains itself/);
    assert.throws(() => encodeTorchZip({ a: new Float32Array(2) }), /typed array/);
    assert.throws(() => encodeTorchZip(new Map([['u', { dtype: 'U32', shape: [1], data: new Uint32Array(1) }]])), /no torch storage type/);
    assert.ok(isNamedArray({ dtype: 'F32', shape: [], data: new Float32Array(1) }));
  });
});
