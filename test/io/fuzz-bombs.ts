/**
 * Crafted resource bombs for the checkpoint readers (shared by test/io/bombs.test.ts and
 * scripts/fuzz-pt.ts): pickles that nest through every container opcode, make many objects,
 * duplicate references, fill the memo, share one big value many times, or declare huge
 * sizes, each wrapped as a zip .pt (stored or deflated) and a legacy .pt; deflate bombs;
 * safetensors headers that parse into far more than their size. A reader must refuse each
 * with one CheckpointError, quickly and within its memory budget.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { encodeTorchLegacy } from '../../src/io/torch-pt-write.js';
import { concatChunks } from '../../src/io/atomic-write.js';

export interface Bomb {
  name: string;
  bytes: Uint8Array;
}

/** pickle bytes from latin1 strings and byte values */
export function pk(...parts: (string | number[] | Uint8Array)[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? Uint8Array.from(p, (c) => c.charCodeAt(0)) : Uint8Array.from(p)));
  return concatChunks(chunks);
}

const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const str = (s: string) => `\x8c${String.fromCharCode(s.length)}${s}`;
const PROTO = '\x80\x02';
const OD = 'ccollections\nOrderedDict\n';

/** one pickle opcode sequence repeated n times, as bytes (built without a giant JS string) */
function repeat(unit: string | number[], n: number): Uint8Array {
  const u = typeof unit === 'string' ? Uint8Array.from(unit, (c) => c.charCodeAt(0)) : Uint8Array.from(unit);
  const out = new Uint8Array(u.length * n);
  for (let i = 0; i < n; i++) out.set(u, i * u.length);
  return out;
}

/**
 * Wraps the value in memo 0 into a new container, once per level: one way for each opcode
 * that makes or fills a container (memo 1 holds OrderedDict where a call needs it).
 */
export const NEST_UNITS: Record<string, string> = {
  APPEND: ']h\x00a',
  APPENDS: '](h\x00e',
  LIST: '(h\x00l',
  SETITEM: '}Nh\x00s',
  SETITEMS: '}(Nh\x00u',
  DICT: '(Nh\x00d',
  TUPLE: '(h\x00t',
  TUPLE1: 'h\x00\x85',
  TUPLE2: 'Nh\x00\x86',
  TUPLE3: 'NNh\x00\x87',
  REDUCE: 'h\x01]Nh\x00\x86a\x85R',
  NEWOBJ: 'h\x01]Nh\x00\x86a\x85\x81',
  BUILD: `}}${str('k')}h\x00sb`,
};

/** a pickle nesting `levels` deep through `unit` (see NEST_UNITS) */
export function nestingPickle(unit: string, levels: number): Uint8Array {
  return pk(PROTO, OD, 'q\x010N', repeat(`q\x000${unit}`, levels), '.');
}

/** the pickle bombs: name -> pickle maker; `n` ~ how many opcodes (10M reproduces the sizes) */
export const PICKLE_BOMBS: Record<string, (n: number) => Uint8Array> = {
  // the 48 KB file: n empty lists then n-1 APPENDs nesting them
  'nested-lists': (n) => pk(PROTO, repeat(']', n), repeat('a', n - 1), '.'),
  'empty-lists': (n) => pk(PROTO, repeat(']', n), '.'),
  'empty-dicts': (n) => pk(PROTO, repeat('}', n), '.'),
  'empty-tuples': (n) => pk(PROTO, repeat(')', n), '.'),
  'tuple-chain': (n) => pk(PROTO, 'N', repeat('\x85', n), '.'),
  dup: (n) => pk(PROTO, ']', repeat('2', n), '.'),
  binget: (n) => pk(PROTO, ']q\x00', repeat('h\x00', n), '.'),
  'memo-keys': (n) => {
    const keys = new Uint8Array(5 * n);
    for (let i = 0; i < n; i++) keys.set([0x72, ...u32(i)], 5 * i);
    return pk(PROTO, 'N', keys, '.');
  },
  memoize: (n) => pk(PROTO, 'N', repeat('\x94', n), '.'),
  marks: (n) => pk(PROTO, repeat('(N', n), '.'),
  'list-of-none': (n) => pk(PROTO, '](', repeat('N', n), 'e.'),
  floats: (n) => pk(PROTO, repeat([0x47, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0], n), '.'),
  longs: (n) => pk(PROTO, repeat([0x8a, 8, 1, 2, 3, 4, 5, 6, 7, 8], n), '.'),
  strings: (n) => pk(PROTO, repeat(str('abcdefgh'), n), '.'),
  bytes: (n) => pk(PROTO, repeat('C\x04abcd', n), '.'),
  // one string of n*16 characters (tiny once deflated)
  'long-string': (n) => pk(PROTO, 'X', u32(n * 16), repeat('a', n * 16), '.'),
  // k OrderedDicts made from one shared list of k pairs: k*k entries from 2k opcodes
  'shared-ordered-dicts': (n) => {
    const k = Math.floor(Math.sqrt(n));
    return pk(PROTO, OD, 'q\x01](', repeat(`${str('ab')}N\x86`, k), 'eq\x00', repeat('h\x01h\x00\x85R0', k), 'N.');
  },
  // BUILD of one k-entry state, k times: k*k attribute copies
  'shared-build': (n) => {
    const k = Math.floor(Math.sqrt(n));
    return pk(PROTO, '}(', concatChunks(Array.from({ length: k }, (_, i) => pk(str(`a${i}`), 'N'))), 'uq\x00}', repeat('h\x00b', k), '.');
  },
  // an empty state_dict plus k extra fields that all are the same k-entry dict (inspect summarises each)
  'shared-extras': (n) => {
    const k = Math.floor(Math.sqrt(n));
    const entries = concatChunks(Array.from({ length: k }, (_, i) => pk(str(`s${i}`), '}')));
    const extras = concatChunks(Array.from({ length: k }, (_, i) => pk(str(`e${i}`), 'h\x00')));
    return pk(PROTO, '}(', str('state_dict'), '}', str('x'), '}(', entries, 'uq\x00', extras, 'u.');
  },
};
for (const [op, unit] of Object.entries(NEST_UNITS)) PICKLE_BOMBS[`nest-${op}`] = (n) => nestingPickle(unit, Math.min(n, 100_000));

/** deflated bodies and CRCs of entry data already seen (the fuzzer re-packs the same entries many times) */
const packed = new WeakMap<Uint8Array, { body: Uint8Array; crc: number }>();

function deflated(data: Uint8Array): { body: Uint8Array; crc: number } {
  let hit = packed.get(data);
  if (!hit) {
    hit = { body: new Uint8Array(deflateRawSync(data, { level: 9 })), crc: crc32(data) >>> 0 };
    packed.set(data, hit);
  }
  return hit;
}

/** a zip archive of these entries, each stored or deflated (a minimal writer: local headers, central directory, end record) */
export function zipOf(entries: { name: string; data: Uint8Array; deflate?: boolean }[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const { body, crc } = e.deflate ? deflated(e.data) : { body: e.data, crc: crc32(e.data) >>> 0 };
    const fields = (sig: number, extra: number[]) => {
      const h = new Uint8Array((sig === 0x04034b50 ? 30 : 46) + name.length);
      const dv = new DataView(h.buffer);
      dv.setUint32(0, sig, true);
      extra.forEach((v, i) => dv.setUint16(4 + 2 * i, v, true));
      return { h, dv };
    };
    const method = e.deflate ? 8 : 0;
    const l = fields(0x04034b50, [20, 0, method, 0, 0]);
    l.dv.setUint32(14, crc, true);
    l.dv.setUint32(18, body.length, true);
    l.dv.setUint32(22, e.data.length, true);
    l.dv.setUint16(26, name.length, true);
    l.h.set(name, 30);
    const c = fields(0x02014b50, [20, 20, 0, method, 0, 0]);
    c.dv.setUint32(16, crc, true);
    c.dv.setUint32(20, body.length, true);
    c.dv.setUint32(24, e.data.length, true);
    c.dv.setUint16(28, name.length, true);
    c.dv.setUint32(42, offset, true);
    c.h.set(name, 46);
    locals.push(l.h, body);
    central.push(c.h);
    offset += l.h.length + body.length;
  }
  const dir = concatChunks(central);
  const end = new Uint8Array(22);
  const dv = new DataView(end.buffer);
  dv.setUint32(0, 0x06054b50, true);
  dv.setUint16(8, entries.length, true);
  dv.setUint16(10, entries.length, true);
  dv.setUint32(12, dir.length, true);
  dv.setUint32(16, offset, true);
  return concatChunks([...locals, dir, end]);
}

/** a zip .pt holding `pickle` as data.pkl, stored or deflated */
export function zipPt(pickle: Uint8Array, deflate: boolean): Uint8Array {
  return zipOf([{ name: 'archive/data.pkl', data: pickle, deflate }, { name: 'archive/version', data: pk('3\n') }]);
}

/** a legacy .pt whose object pickle is `pickle` (no storages) */
export function legacyPt(pickle: Uint8Array): Uint8Array {
  const chunks = encodeTorchLegacy(new Map());
  chunks[3] = pickle;
  return concatChunks(chunks);
}

/** a safetensors file with this header text and no data */
export function safetensorsWithHeader(header: string): Uint8Array {
  const json = new TextEncoder().encode(header);
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  return concatChunks([len, json]);
}

/** every bomb as a file, one at a time: pickles in each wrapper, deflate bombs of `big` bytes, header bombs */
export function* allBombs(scale: number, big = 256 << 20): Generator<Bomb> {
  for (const [name, make] of Object.entries(PICKLE_BOMBS)) {
    const pickle = make(scale);
    yield { name: `zip-deflated/${name}`, bytes: zipPt(pickle, true) };
    // stored and legacy copies are as large as the pickle: only the small ones
    if (pickle.byteLength <= 16 << 20) {
      yield { name: `zip-stored/${name}`, bytes: zipPt(pickle, false) };
      yield { name: `legacy/${name}`, bytes: legacyPt(pickle) };
    }
  }
  // a data.pkl of `big` bytes of NONEs in a file of big/1000 (the issue's: 1 GiB in 1 MB)
  yield { name: 'zip-deflated/huge-pickle', bytes: zipPt(pk(PROTO, new Uint8Array(big).fill(0x4e), '.'), true) };
  // a storage entry whose zeros inflate far past what its small file could need
  yield { name: 'zip-deflated/huge-storage', bytes: zipOf([
    { name: 'archive/data.pkl', data: pk(PROTO, '}(', str('w'), 'ctorch._utils\n_rebuild_tensor_v2\n(', '(', str('storage'), 'ctorch\nFloatStorage\n', str('0'), str('cpu'), 'J', u32(big / 4), 'tQK\x00J', u32(big / 4), '\x85K\x01\x85\x89', OD, ')RtRu.') },
    { name: 'archive/data/0', data: new Uint8Array(big), deflate: true },
  ]) };
  const m = Math.max(1, Math.floor(scale / 4));
  yield { name: 'safetensors/empty-objects', bytes: safetensorsWithHeader(`{"__metadata__":{},"x":[${'{},'.repeat(m)}{}]}`) };
  yield { name: 'safetensors/zeros', bytes: safetensorsWithHeader(`{"x":[${'0,'.repeat(m)}0]}`) };
  yield { name: 'safetensors/deep', bytes: safetensorsWithHeader(`{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`) };
}
