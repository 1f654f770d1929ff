/**
 * The in-memory form of a checkpoint tensor: a dtype tag, a shape and a typed array of
 * exactly prod(shape) elements in row-major order. Arrays read from a file are views into
 * the file's buffer where the alignment allows it: treat them as read-only.
 */
import { CheckpointError } from './errors.js';
import type { Budget } from './read-budget.js';

export type DType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

export type ArrayData =
  | Float64Array
  | Float32Array
  | Uint16Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

export interface NamedArray {
  dtype: DType;
  shape: number[];
  data: ArrayData;
}

/** bytes per element */
export const DTYPE_SIZE: Record<DType, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

export function isDType(s: unknown): s is DType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_SIZE, s);
}

/** number of elements of a shape (1 for a 0-dim shape) */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function isNamedArray(v: unknown): v is NamedArray {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Partial<NamedArray>;
  return isDType(a.dtype) && Array.isArray(a.shape) && ArrayBuffer.isView(a.data);
}

type ArrayCtor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayData;

function ctorOf(dtype: DType): ArrayCtor {
  switch (dtype) {
    case 'F64':
      return Float64Array;
    case 'F32':
      return Float32Array;
    case 'F16':
    case 'BF16':
    case 'U16':
      return Uint16Array;
    case 'I64':
      return BigInt64Array;
    case 'U64':
      return BigUint64Array;
    case 'I32':
      return Int32Array;
    case 'U32':
      return Uint32Array;
    case 'I16':
      return Int16Array;
    case 'I8':
      return Int8Array;
    case 'U8':
    case 'BOOL':
      return Uint8Array;
  }
}

/** a zeroed typed array of `length` elements of `dtype` */
export function allocData(dtype: DType, length: number): ArrayData {
  const Ctor = ctorOf(dtype);
  return new Ctor(new ArrayBuffer(length * DTYPE_SIZE[dtype]), 0, length);
}

/**
 * Typed array over `length` elements of `bytes` starting at byte `offset`: a view when the
 * address is aligned for the element size, else one copy (charged to `budget`). Bytes are
 * little-endian, as on every platform Node runs on that we support.
 */
export function viewOrCopy(dtype: DType, bytes: Uint8Array, offset: number, length: number, budget?: Budget): ArrayData {
  const size = DTYPE_SIZE[dtype];
  const nbytes = length * size;
  if (!Number.isSafeInteger(nbytes) || offset < 0 || offset + nbytes > bytes.byteLength) {
    throw new CheckpointError(`${dtype} data of ${length} elements at byte ${offset} runs past the ${bytes.byteLength} bytes available`);
  }
  const Ctor = ctorOf(dtype);
  const start = bytes.byteOffset + offset;
  if (start % size === 0) return new Ctor(bytes.buffer, start, length);
  budget?.take(nbytes, 'unaligned tensor copy');
  const copy = bytes.slice(offset, offset + nbytes);
  return new Ctor(copy.buffer, 0, length);
}

/** the raw little-endian bytes of an array's data (a view, no copy) */
export function bytesOf(a: { data: ArrayData }): Uint8Array {
  return new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function bf16ToFloat(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

/** float32 values of any array: the data itself for F32 (no copy), else a converted copy */
export function toFloat32(a: NamedArray): Float32Array {
  const d = a.data;
  if (a.dtype === 'F32') return d as Float32Array;
  const out = new Float32Array(d.length);
  if (a.dtype === 'F16') {
    for (let i = 0; i < d.length; i++) out[i] = halfToFloat((d as Uint16Array)[i]);
  } else if (a.dtype === 'BF16') {
    for (let i = 0; i < d.length; i++) out[i] = bf16ToFloat((d as Uint16Array)[i]);
  } else if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
  } else {
    for (let i = 0; i < d.length; i++) out[i] = (d as Exclude<ArrayData, BigInt64Array | BigUint64Array>)[i];
  }
  return out;
}

/** element i as a JS number (bigints converted, halfs decoded) */
export function elementAt(a: NamedArray, i: number): number {
  const v = a.data[i];
  if (a.dtype === 'F16') return halfToFloat(v as number);
  if (a.dtype === 'BF16') return bf16ToFloat(v as number);
  return Number(v);
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
