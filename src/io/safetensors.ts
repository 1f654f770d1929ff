/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {string: string}}` padded
 * with spaces, then the tensors' bytes. Reading validates everything the header claims against
 * the bytes present (as the reference implementation does: offsets must tile the data area
 * exactly, with no holes or overlaps) and returns views into the buffer where aligned.
 */
import { type NamedArray, type DType, DTYPE_SIZE, isDType, numel, viewOrCopy, bytesOf } from './arrays.js';
import { readBudget } from './read-budget.js';
import { parseJsonBounded } from './json-bounds.js';
import { CheckpointError, quote } from './errors.js';
import { formatValue } from './pickle-values.js';

export interface SafetensorsContents {
  tensors: Map<string, NamedArray>;
  metadata: Record<string, string>;
}

/** the reference implementation's limit on the header size */
const MAX_HEADER = 100_000_000;

export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n >= 2n && n <= BigInt(Math.min(MAX_HEADER, bytes.byteLength - 8)) && bytes[8] === 0x7b; // '{'
}

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

function fail(msg: string): never {
  throw new CheckpointError(msg);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseEntry(name: string, v: unknown, dataLen: number): Entry {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`tensor ${quote(name)}: header entry is not an object`);
  const o = v as Record<string, unknown>;
  const dtype = o.dtype;
  if (!isDType(dtype)) fail(`tensor ${quote(name)}: unsupported dtype ${formatValue(dtype)}`);
  const shape = o.shape;
  if (!Array.isArray(shape) || !shape.every(isCount)) fail(`tensor ${quote(name)}: bad shape ${formatValue(shape)}`);
  const off = o.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every(isCount)) fail(`tensor ${quote(name)}: bad data_offsets ${formatValue(off)}`);
  const [begin, end] = off as [number, number];
  if (begin > end || end > dataLen) fail(`tensor ${quote(name)}: data_offsets [${begin}, ${end}] outside the ${dataLen} data bytes`);
  const nbytes = numel(shape as number[]) * DTYPE_SIZE[dtype];
  if (nbytes !== end - begin) fail(`tensor ${quote(name)}: ${dtype} shape [${(shape as number[]).join(',')}] needs ${nbytes} bytes, data_offsets span ${end - begin}`);
  return { name, dtype, shape: shape as number[], begin, end };
}

/** parses a safetensors file held in memory; tensors are views into `bytes` where aligned */
export function readSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (bytes.byteLength < 8) fail(`file too short for a safetensors header (${bytes.byteLength} bytes)`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(Math.min(MAX_HEADER, bytes.byteLength - 8))) fail(`header length ${n64} exceeds the file (${bytes.byteLength} bytes) or the ${MAX_HEADER}-byte limit`);
  const n = Number(n64);
  const budget = readBudget(bytes.byteLength);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch (err) {
    fail(`header is not valid UTF-8 (${err instanceof Error ? err.message : String(err)})`);
  }
  const header = parseJsonBounded(text, budget.meta, 'the header');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('__metadata__ is not an object');
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') fail(`__metadata__ entry ${quote(k)} is not a string`);
        metadata[k] = s;
      }
      continue;
    }
    entries.push(parseEntry(name, v, dataLen));
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) fail(`tensor ${quote(e.name)} starts at data byte ${e.begin}, expected ${at} (tensors must tile the data without holes or overlaps)`);
    at = e.end;
  }
  if (at !== dataLen) fail(`tensors cover ${at} data bytes but the file holds ${dataLen}`);
  const tensors = new Map<string, NamedArray>();
  for (const e of sorted) {
    const data = viewOrCopy(e.dtype, bytes, dataStart + e.begin, numel(e.shape), budget.data);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

/**
 * Encodes tensors (in order of decreasing element size, then as given, so every tensor
 * stays aligned) and string metadata. Returns chunks that reference the tensors' data.
 */
export function encodeSafetensors(tensors: Iterable<[string, NamedArray]>, metadata?: Record<string, string>): Uint8Array[] {
  const list = [...tensors];
  const seen = new Set<string>();
  for (const [name, a] of list) {
    if (name === '__metadata__' || name.length === 0) throw new CheckpointError(`invalid tensor name "${name}"`);
    if (seen.has(name)) throw new CheckpointError(`duplicate tensor name "${name}"`);
    seen.add(name);
    if (a.data.length !== numel(a.shape)) throw new CheckpointError(`tensor ${quote(name)}: shape [${a.shape.join(',')}] needs ${numel(a.shape)} values, data has ${a.data.length}`);
    if (a.data.BYTES_PER_ELEMENT !== DTYPE_SIZE[a.dtype]) throw new CheckpointError(`tensor ${quote(name)}: ${a.dtype} data in a ${a.data.constructor.name}`);
  }
  const order = list.map((e, i) => ({ e, i })).sort((x, y) => DTYPE_SIZE[y.e[1].dtype] - DTYPE_SIZE[x.e[1].dtype] || x.i - y.i);
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new CheckpointError(`metadata "${k}" is not a string`);
    header.__metadata__ = metadata;
  }
  let at = 0;
  const chunks: Uint8Array[] = [];
  for (const { e: [name, a] } of order) {
    const b = bytesOf(a);
    header[name] = { dtype: a.dtype, shape: a.shape, data_offsets: [at, at + b.byteLength] };
    at += b.byteLength;
    chunks.push(b);
  }
  const text = new TextEncoder().encode(JSON.stringify(header));
  // the header is padded with spaces to a multiple of 8 bytes, so the data stays aligned
  const json = new Uint8Array(Math.ceil(text.byteLength / 8) * 8).fill(0x20);
  json.set(text);
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  return [len, json, ...chunks];
}
