/**
 * Reads torch.save files in both formats, with the allow-listed unpickler:
 *  - zip (PyTorch >= 1.6): `<name>/data.pkl` plus one stored entry `<name>/data/<key>` per storage;
 *  - legacy (what PyTorch <= 1.5 wrote): magic number, protocol 1001 and system info pickles,
 *    the object pickle, the storage-keys pickle, then per key an int64 element count and the
 *    raw little-endian bytes.
 * Tensors are views into the file's bytes where aligned (zip storages always are); see
 * writers in torch-pt-write.ts.
 */
import { DTYPE_SIZE } from './arrays.js';
import { readBudget } from './read-budget.js';
import { CheckpointError, quote } from './errors.js';
import { unpickle } from './pickle.js';
import { PyDict, PyTuple, formatValue } from './pickle-values.js';
import { LoadContext, StorageType, TorchStorage, torchGlobals } from './torch-globals.js';
import { ZipReader, isZip } from './zip-read.js';

export type PtFormat = 'torch-zip' | 'torch-legacy';

export interface PtContents {
  format: PtFormat;
  /** the unpickled object: PyDict / arrays / PyTuple / primitives / NamedArray (see pickle-values.ts) */
  value: unknown;
  /** number of distinct storages */
  storages: number;
}

export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
export const LEGACY_PROTOCOL = 1001;
const NO_GLOBALS = new Map();

function fail(msg: string): never {
  throw new CheckpointError(msg);
}

/** true if the bytes start like a legacy torch.save file (PROTO 2, LONG1 of 10 bytes) */
export function isLegacyPt(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a && bytes[3] === 0x0a;
}

interface StorageId {
  dtype: StorageType;
  key: string;
  numel: number;
  view: { key: string; offset: number; numel: number } | null;
}

function parsePid(pid: unknown, legacy: boolean): StorageId {
  if (!(pid instanceof PyTuple)) fail('persistent id is not a tuple');
  const [kind, type, key, location, numel, view] = pid.items;
  if (kind === 'module') fail('the file holds a pickled module (torch.save(model)); save model.state_dict() instead');
  if (kind !== 'storage') fail(`unknown persistent id kind ${formatValue(kind, { maxDepth: 1, maxItems: 3 })}`);
  if (pid.items.length !== (legacy ? 6 : 5)) fail(`storage id has ${pid.items.length} fields`);
  if (!(type instanceof StorageType)) fail('storage id without a storage type');
  if (typeof key !== 'string' || typeof location !== 'string') fail('storage id with a non-string key or location');
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) fail(`storage ${quote(key)} has element count ${String(numel)}`);
  let v: StorageId['view'] = null;
  if (view !== null && view !== undefined) {
    if (!(view instanceof PyTuple) || view.items.length !== 3) fail(`storage ${quote(key)} has bad view metadata`);
    const [vk, off, n] = view.items;
    if (typeof vk !== 'string' || typeof off !== 'number' || typeof n !== 'number' || !(off >= 0 && n >= 0 && off + n <= numel)) {
      fail(`storage ${quote(key)} has bad view metadata`);
    }
    v = { key: vk, offset: off, numel: n };
  }
  return { dtype: type, key, numel, view: v };
}

function storageOf(cache: Map<string, TorchStorage>, key: string, id: StorageId, make: () => Uint8Array | null): TorchStorage {
  const numel = id.numel;
  const hit = cache.get(key);
  if (hit) {
    if (hit.dtype !== id.dtype.dtype || hit.numel !== numel) fail(`storage ${quote(key)} is used as both ${hit.dtype}[${hit.numel}] and ${id.dtype.dtype}[${numel}]`);
    return hit;
  }
  const s = new TorchStorage(key, id.dtype.dtype, numel, make());
  cache.set(key, s);
  return s;
}

function readZip(bytes: Uint8Array): PtContents {
  const budget = readBudget(bytes.byteLength);
  const zip = new ZipReader(bytes, budget.meta);
  const names = [...zip.entries.keys()];
  if (names.length === 0) fail('empty zip archive');
  const prefix = names[0].includes('/') ? names[0].slice(0, names[0].indexOf('/')) : '';
  const pklName = `${prefix}/data.pkl`;
  if (!zip.entries.has(pklName)) {
    if (names.some((n) => n.includes('/code/') || n.endsWith('constants.pkl'))) fail('this is a TorchScript archive (torch.jit.save); save model.state_dict() with torch.save instead');
    fail(`zip archive without ${pklName}: not a torch.save checkpoint`);
  }
  const byteorder = `${prefix}/byteorder`;
  if (zip.entries.has(byteorder)) {
    const order = new TextDecoder().decode(zip.read(byteorder, budget.meta)).trim();
    if (order !== 'little') fail(`storages are ${quote(order, 20)}-endian; only little-endian checkpoints are supported`);
  }
  const ctx = new LoadContext(budget);
  const cache = new Map<string, TorchStorage>();
  const persistentLoad = (pid: unknown) => {
    const id = parsePid(pid, false);
    return storageOf(cache, id.key, id, () => {
      const name = `${prefix}/data/${id.key}`;
      if (!zip.entries.has(name)) fail(`storage ${quote(id.key)} is missing from the archive`);
      const data = zip.read(name, budget.data);
      const want = id.numel * DTYPE_SIZE[id.dtype.dtype];
      if (data.byteLength !== want) fail(`storage ${quote(id.key)} holds ${data.byteLength} bytes, expected ${want} (${id.numel} x ${id.dtype.dtype})`);
      return data;
    });
  };
  const { value } = unpickle(zip.read(pklName, budget.meta), 0, { globals: torchGlobals(ctx), persistentLoad, budget: budget.meta });
  ctx.finish();
  return { format: 'torch-zip', value, storages: cache.size };
}

interface LegacyParse {
  value: unknown;
  /** offset of the first storage's element count */
  dataStart: number;
  keys: string[];
  roots: Map<string, TorchStorage>;
  views: { storage: TorchStorage; root: string; offset: number }[];
  ctx: LoadContext;
}

function parseLegacy(bytes: Uint8Array): LegacyParse {
  const budget = readBudget(bytes.byteLength);
  const plain = { globals: NO_GLOBALS, budget: budget.meta };
  const magic = unpickle(bytes, 0, plain);
  if (magic.value !== LEGACY_MAGIC) fail('not a torch.save file (bad magic number)');
  const proto = unpickle(bytes, magic.end, plain);
  if (proto.value !== LEGACY_PROTOCOL) fail(`unsupported legacy protocol version ${String(proto.value)}`);
  const sys = unpickle(bytes, proto.end, plain);
  if (!(sys.value instanceof PyDict) || sys.value.get('little_endian') !== true) fail('storages are not little-endian; only little-endian checkpoints are supported');
  const ctx = new LoadContext(budget);
  const roots = new Map<string, TorchStorage>();
  const views = new Map<string, TorchStorage>();
  const viewList: LegacyParse['views'] = [];
  const persistentLoad = (pid: unknown) => {
    const id = parsePid(pid, true);
    const root = storageOf(roots, id.key, id, () => null);
    if (!id.view) return root;
    const v = id.view;
    const hit = views.get(v.key);
    if (hit) {
      if (hit.dtype !== root.dtype || hit.numel !== v.numel) fail(`storage view ${quote(v.key)} is declared twice with different sizes`);
      return hit;
    }
    const s = new TorchStorage(v.key, root.dtype, v.numel, null);
    views.set(v.key, s);
    viewList.push({ storage: s, root: id.key, offset: v.offset });
    return s;
  };
  const main = unpickle(bytes, sys.end, { globals: torchGlobals(ctx), persistentLoad, budget: budget.meta });
  const keysPickle = unpickle(bytes, main.end, plain);
  const keys = keysPickle.value;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) fail('storage key list is not a list of strings');
  return { value: main.value, dataStart: keysPickle.end, keys: keys as string[], roots, views: viewList, ctx };
}

/**
 * Moves `bytes` forward in its own buffer (into the slack past its end, see read-file.ts) so that
 * offset `at` lands on a multiple of `align` in memory: no new allocation. Returns `bytes`
 * unchanged when the buffer has no room; the old view must not be used afterwards.
 */
export function alignInPlace(bytes: Uint8Array, at: number, align = 8): Uint8Array {
  const shift = (align - ((bytes.byteOffset + at) % align)) % align;
  if (shift === 0) return bytes;
  if (bytes.byteOffset + bytes.byteLength + shift > bytes.buffer.byteLength) return bytes;
  const whole = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength + shift);
  whole.copyWithin(shift, 0, bytes.byteLength);
  return whole.subarray(shift);
}

function readLegacy(original: Uint8Array, shiftInPlace: boolean): PtContents {
  const p = parseLegacy(original);
  // the pickles hold no views of the buffer (storages get their bytes below), so it may move now
  const bytes = shiftInPlace ? alignInPlace(original, p.dataStart + 8) : original;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = p.dataStart;
  const seen = new Set<string>();
  for (const key of p.keys) {
    const s = p.roots.get(key);
    if (!s) fail(`storage ${quote(key)} is listed but no tensor uses it`);
    if (seen.has(key)) fail(`storage ${quote(key)} is listed twice`);
    seen.add(key);
    if (at + 8 > bytes.byteLength) fail(`truncated before storage ${quote(key)}`);
    const count = dv.getBigInt64(at, true);
    if (count !== BigInt(s.numel)) fail(`storage ${quote(key)} holds ${count} elements, expected ${s.numel}`);
    const nbytes = s.numel * DTYPE_SIZE[s.dtype];
    if (at + 8 + nbytes > bytes.byteLength) fail(`truncated in storage ${quote(key)} (${nbytes} bytes at ${at + 8}, file has ${bytes.byteLength})`);
    s.bytes = bytes.subarray(at + 8, at + 8 + nbytes);
    at += 8 + nbytes;
  }
  for (const [key] of p.roots) if (!seen.has(key)) fail(`storage ${quote(key)} is missing from the file`);
  for (const v of p.views) {
    const root = p.roots.get(v.root)!;
    const size = DTYPE_SIZE[root.dtype];
    v.storage.bytes = root.bytes!.subarray(v.offset * size, (v.offset + v.storage.numel) * size);
  }
  p.ctx.finish();
  return { format: 'torch-legacy', value: p.value, storages: p.roots.size };
}

function looksLikeTar(bytes: Uint8Array): boolean {
  return bytes.byteLength > 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar';
}

export interface ReadPtOptions {
  /**
   * legacy files: shift the bytes within their buffer (which must have room past the view's
   * end, as readWholeFile's has) so the storages land aligned and need no copies; `bytes` must
   * not be used afterwards
   */
  shiftInPlace?: boolean;
}

/** reads a torch.save file held in memory */
export function readTorchPt(bytes: Uint8Array, opts: ReadPtOptions = {}): PtContents {
  if (isZip(bytes)) return readZip(bytes);
  if (isLegacyPt(bytes)) return readLegacy(bytes, opts.shiftInPlace ?? false);
  if (looksLikeTar(bytes)) fail('tar-based checkpoint (PyTorch < 0.4) is not supported; re-save it with a newer PyTorch');
  fail('not a torch.save file (neither zip nor legacy pickle format)');
}
