/**
 * Writes torch.save files that torch.load reads: the zip format as PyTorch 1.13 writes it
 * (`archive/data.pkl`, `archive/data/N` stored and 64-byte aligned, `archive/version` = "3\n")
 * and the legacy format (for seed-style test checkpoints). The object may be a state_dict
 * (a Map of NamedArrays, written as an OrderedDict) or any tree of the value model in
 * pickle-values.ts, e.g. a DIET-SNN trainer checkpoint. Arrays sharing one typed array share
 * one storage. Writes are atomic.
 */
import { type ArrayData, type NamedArray, bytesOf, numel } from './arrays.js';
import { CheckpointError } from './errors.js';
import { PickleWriter } from './pickle-write.js';
import { storageTypeName } from './torch-globals.js';
import { encodeZip } from './zip-write.js';
import { atomicWriteChunks } from './atomic-write.js';
import { LEGACY_MAGIC, LEGACY_PROTOCOL } from './torch-pt.js';

export interface ZipWriteOptions {
  /** the archive's top folder (torch 1.13 uses the file's base name, newer torch "archive") */
  archiveName?: string;
  /** zip64 records even when not needed (tests) */
  forceZip64?: boolean;
}

interface Storage {
  key: string;
  array: NamedArray;
}

/** pickles `obj` writing tensors as persistent ids to storages collected in order */
function pickleWithStorages(obj: unknown, legacy: boolean): { pickle: Uint8Array; storages: Storage[] } {
  const storages: Storage[] = [];
  const byData = new Map<ArrayData, Storage>();
  const writer = new PickleWriter((w, a) => {
    if (a.data.length !== numel(a.shape)) throw new CheckpointError(`tensor of shape [${a.shape.join(',')}] has ${a.data.length} values`);
    let s = byData.get(a.data);
    if (!s) {
      s = { key: String(storages.length), array: a };
      storages.push(s);
      byData.set(a.data, s);
    }
    const type = storageTypeName(a.dtype);
    const stride: number[] = [];
    let step = 1;
    for (let d = a.shape.length - 1; d >= 0; d--) {
      stride.unshift(step);
      step *= a.shape[d];
    }
    w.global('torch._utils', '_rebuild_tensor_v2').mark();
    w.mark().str('storage').global('torch', type).str(s.key).str('cpu').int(a.data.length);
    if (legacy) w.value(null);
    w.op(0x74).op(0x51); // TUPLE, BINPERSID
    w.int(0).tuple(a.shape).tuple(stride).value(false).orderedDict();
    w.op(0x74).op(0x52); // TUPLE, REDUCE
  });
  writer.value(obj);
  return { pickle: writer.finish(), storages };
}

function simplePickle(v: unknown): Uint8Array {
  return new PickleWriter(() => {
    throw new CheckpointError('unexpected tensor');
  })
    .value(v)
    .finish();
}

/** the chunks of a zip-format torch.save file */
export function encodeTorchZip(obj: unknown, opts: ZipWriteOptions = {}): Uint8Array[] {
  const name = opts.archiveName ?? 'archive';
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new CheckpointError(`bad archive name "${name}"`);
  const { pickle, storages } = pickleWithStorages(obj, false);
  return encodeZip(
    [
      { name: `${name}/data.pkl`, chunks: [pickle] },
      ...storages.map((s) => ({ name: `${name}/data/${s.key}`, chunks: [bytesOf(s.array)] })),
      { name: `${name}/version`, chunks: [new TextEncoder().encode('3\n')] },
    ],
    { forceZip64: opts.forceZip64 },
  );
}

/** the chunks of a legacy-format torch.save file */
export function encodeTorchLegacy(obj: unknown): Uint8Array[] {
  const { pickle, storages } = pickleWithStorages(obj, true);
  const sysInfo = { protocol_version: LEGACY_PROTOCOL, little_endian: true, type_sizes: { short: 2, int: 4, long: 8 } };
  const chunks = [simplePickle(LEGACY_MAGIC), simplePickle(LEGACY_PROTOCOL), simplePickle(sysInfo), pickle, simplePickle(storages.map((s) => s.key))];
  for (const s of storages) {
    const count = new Uint8Array(8);
    new DataView(count.buffer).setBigInt64(0, BigInt(s.array.data.length), true);
    chunks.push(count, bytesOf(s.array));
  }
  return chunks;
}

export function writeTorchZipFile(file: string, obj: unknown, opts: ZipWriteOptions = {}): void {
  atomicWriteChunks(file, encodeTorchZip(obj, opts));
}

export function writeTorchLegacyFile(file: string, obj: unknown): void {
  atomicWriteChunks(file, encodeTorchLegacy(obj));
}
