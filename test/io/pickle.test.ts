/** The allow-listed unpickler: what it rebuilds and what it refuses. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { unpickle } from '../../src/io/pickle.js';
import { PickleWriter } from '../../src/io/pickle-write.js';
import { PyDict, PyTuple, formatValue } from '../../src/io/pickle-values.js';
import { toFloat32, type NamedArray } from '../../src/io/arrays.js';
import { readBudget } from '../../src/io/read-budget.js';
import { LoadContext, torchGlobals } from '../../src/io/torch-globals.js';
import { CheckpointError } from '../../src/io/errors.js';
import { readTorchPt } from '../../src/io/torch-pt.js';
import { encodeTorchLegacy } from '../../src/io/torch-pt-write.js';
import { encodeZip } from '../../src/io/zip-write.js';
import { concatChunks } from '../../src/io/atomic-write.js';
import { NEST_UNITS, nestingPickle } from './fuzz-bombs.js';

/** bytes from a mix of strings (latin1) and byte values */
function pk(...parts: (string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}

function load(bytes: Uint8Array): unknown {
  const ctx = new LoadContext(readBudget(bytes.byteLength));
  return unpickle(bytes, 0, { globals: torchGlobals(ctx) }).value;
}

function refuses(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => load(bytes),
    (err: unknown) => err instanceof CheckpointError && pattern.test(err.message),
  );
}

/** a zip-format .pt whose data.pkl is `pickle` (no storages) */
function zipPt(pickle: Uint8Array): Uint8Array {
  return concatChunks(encodeZip([{ name: 'archive/data.pkl', chunks: [pickle] }, { name: 'archive/version', chunks: [pk('3\n')] }]));
}

describe('refusals', () => {
  test('GLOBAL os system + REDUCE is refused by name before anything runs', () => {
    const evil = pk([0x80, 2], 'cos\nsystem\n', 'X', [6, 0, 0, 0], 'echo 1', [0x85], 'R.');
    refuses(evil, /refusing to load "os\.system": only tensors and plain containers are allowed/);
    refuses(pk([0x80, 2], 'cposix\nsystem\n', ')R.'), /refusing to load "posix\.system"/);
    // inside a real checkpoint container too
    assert.throws(() => readTorchPt(zipPt(evil)), /refusing to load "os\.system"/);
  });

  test('STACK_GLOBAL, builtins and torch internals outside the list are refused', () => {
    refuses(pk([0x80, 4], [0x8c, 8], 'builtins', [0x8c, 4], 'eval', [0x93], ')R.'), /refusing to load "builtins\.eval"/);
    refuses(pk([0x80, 2], 'ctorch._utils\n_rebuild_from_type_v2\n.'), /refusing to load "torch\._utils\._rebuild_from_type_v2"/);
    refuses(pk([0x80, 2], 'c__main__\nVGG\n.'), /refusing to load "__main__\.VGG"/);
  });

  test('REDUCE of a type tag, BUILD on a tensor-less object, NEWOBJ of non-classes are refused', () => {
    refuses(pk([0x80, 2], 'ctorch\nFloatStorage\n)R.'), /refusing to call "torch\.FloatStorage"/);
    refuses(pk([0x80, 2], ']}b.'), /refusing BUILD on a list/);
    refuses(pk([0x80, 2], 'K', [1], ')R.'), /cannot call a number/);
    refuses(pk([0x80, 2], '})', [0x81], '.'), /cannot call a dict/);
    refuses(pk([0x80, 2], 'ccollections\nOrderedDict\n}R.'), /call arguments are a dict, not a tuple/);
  });

  test('persistent ids outside a checkpoint, unknown opcodes, bad memo and stack errors', () => {
    refuses(pk([0x80, 2], 'NQ.'), /persistent id/);
    refuses(pk([0x80, 2], 'N', [0x96], '.'), /unsupported pickle opcode 0x96/);
    refuses(pk([0x80, 2], 'h', [7], '.'), /memo key 7/);
    refuses(pk([0x80, 2], 't.'), /no MARK/);
    refuses(pk([0x80, 2], '.'), /stack underflow/);
    refuses(pk([0x80, 2], 'N'), /no STOP/);
    refuses(pk([0x80, 2], 'X', [0xff, 0xff, 0xff, 0x7f], 'abc.'), /truncated/);
  });

  test('deep MARK nesting and deep value nesting (any container opcode) are bounded', () => {
    refuses(pk([0x80, 2], '('.repeat(5000), 'N.'), /nesting deeper than 1000/);
    // 1000 nested 1-tuples are fine (and print shortly), 1001 are not
    const v = load(pk([0x80, 2], 'N', String.fromCharCode(0x85).repeat(1000), '.'));
    assert.ok(v instanceof PyTuple);
    assert.match(formatValue(v), /^\(\(\(\(\(\.\.\.\),\),\),\),\)$/);
    refuses(pk([0x80, 2], 'N', String.fromCharCode(0x85).repeat(1001), '.'), /pickle byte 1003: nesting deeper than 1000 levels/);
    // (a call's result counts as deep as its arguments: OrderedDict([(k, v)]) adds 3 levels)
    for (const [op, unit] of Object.entries(NEST_UNITS)) {
      assert.ok(load(nestingPickle(unit, 300)) !== undefined, op);
      assert.throws(() => load(nestingPickle(unit, 1001)), /nesting deeper than 1000 levels/, op);
    }
  });

  test('reference cycles and changes to a container after nesting it are refused', () => {
    refuses(pk([0x80, 2], ']q', [0], 'h', [0], 'a.'), /puts a container into itself/);
    refuses(pk([0x80, 2], '}q', [0], 'Nh', [0], 's.'), /puts a container into itself/);
    // l0 goes into l1, then l1 into l0: a cycle through a nested list
    refuses(pk([0x80, 2], ']q', [0], ']q', [1], 'h', [0], 'a0h', [0], 'h', [1], 'a.'), /changes a container after nesting it/);
    // the chain trick that would hide depth: fill a list after nesting it
    refuses(pk([0x80, 2], ']q', [0], ']h', [0], 'a0h', [0], ']a.'), /changes a container after nesting it/);
  });
});

describe('values', () => {
  test('numbers, strings, containers round-trip through the writer', () => {
    const d = new PyDict(true);
    d.set('int', 5).set('neg', -70000).set('big', 2 ** 40).set('huge', -(2n ** 80n)).set('float', 0.1).set('negzero', -0);
    d.set('str', 'naïve ✓').set('none', null).set('t', true).set('f', false);
    d.set('tuple', new PyTuple([1, new PyTuple([]), new PyTuple(['a', 'b', 'c', 'd'])])).set('list', Array.from({ length: 2500 }, (_, i) => i));
    d.set(3, 'int key');
    const plain = new PyDict(false);
    plain.set('x', 1);
    d.set('plain', plain);
    d.attrs.set('_metadata', new PyDict(true));
    const bytes = new PickleWriter(() => assert.fail('no tensors')).value(d).finish();
    const back = load(bytes) as PyDict;
    assert.ok(back.ordered);
    assert.deepEqual([...back.keys()], [...d.keys()]);
    for (const [k, v] of d) assert.deepEqual(back.get(k), v, String(k));
    assert.ok(Object.is(back.get('negzero'), -0));
    assert.equal((back.get('plain') as PyDict).ordered, false);
    assert.ok(back.attrs.get('_metadata') instanceof PyDict);
  });

  test('legacy storage views (view metadata in the persistent id) read as slices of their root', () => {
    const root = Float32Array.from([0, 1, 2, 3, 4, 5]);
    const t: NamedArray = { dtype: 'F32', shape: [6], data: root };
    // a legacy file whose one tensor views elements 2..4 of storage "r" through view "v"
    const chunks = encodeTorchLegacy(new Map([['whole', t]]));
    const writer = new PickleWriter((w) => {
      w.global('torch._utils', '_rebuild_tensor_v2').mark();
      w.mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(6).tuple(['v', 2, 3]).op(0x74).op(0x51);
      w.int(0).tuple([3]).tuple([1]).value(false).orderedDict().op(0x74).op(0x52);
    });
    chunks[3] = writer.value(new Map([['view', t], ['view2', t]])).finish();
    const pt = readTorchPt(concatChunks(chunks));
    const m = pt.value as Map<string, NamedArray>;
    assert.deepEqual(Array.from(toFloat32(m.get('view')!)), [2, 3, 4]);
    assert.deepEqual(Array.from(toFloat32(m.get('view2')!)), [2, 3, 4]);
    assert.equal(pt.storages, 1);
  });

  test('tensors whose geometry runs past their storage are refused', () => {
    const t: NamedArray = { dtype: 'F32', shape: [4], data: new Float32Array(4) };
    const bad = (size: number[], stride: number[], offset = 0) => {
      const chunks = encodeTorchLegacy(new Map([['t', t]]));
      chunks[3] = new PickleWriter((w) => {
        w.global('torch._utils', '_rebuild_tensor_v2').mark();
        w.mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(4).value(null).op(0x74).op(0x51);
        w.int(offset).tuple(size).tuple(stride).value(false).orderedDict().op(0x74).op(0x52);
      })
        .value(new Map([['t', t]]))
        .finish();
      return concatChunks(chunks);
    };
    assert.throws(() => readTorchPt(bad([5], [1])), /reaches element 4 of a 4-element storage/);
    assert.throws(() => readTorchPt(bad([2], [1], 3)), /reaches element 4/);
    assert.throws(() => readTorchPt(bad([2 ** 40], [0])), /strided tensor \[1099511627776\] needs more than the 128\.0 MiB of tensor data that a \d+ bytes checkpoint can need; refusing/);
    assert.throws(() => readTorchPt(bad([2, 2], [1])), /2 dimensions but stride has 1/);
    // a transposed view within bounds is fine
    assert.deepEqual(readTorchPt(bad([2, 2], [1, 2])).storages, 1);
  });
});
