/**
 * The only Python names a torch checkpoint may mention: collections.OrderedDict, the typed
 * storage classes (as type tags in persistent ids) and torch._utils' tensor/parameter
 * rebuild functions. Tensors are rebuilt from (storage, offset, size, stride): contiguous
 * ones are views into the storage bytes, strided ones are gathered into one copy.
 */
import { type DType, type NamedArray, DTYPE_SIZE, allocData, viewOrCopy, numel } from './arrays.js';
import { COST, type ReadBudget } from './read-budget.js';
import { CheckpointError, quote } from './errors.js';
import type { PyGlobal } from './pickle.js';
import { PyDict, PyTuple } from './pickle-values.js';

/** a storage class named in a checkpoint: torch.FloatStorage etc. */
export class StorageType implements PyGlobal {
  constructor(readonly qualname: string, readonly dtype: DType) {}
}

export const STORAGE_TYPES: Record<string, DType> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** the storage class name torch uses for a dtype */
export function storageTypeName(dtype: DType): string {
  const hit = Object.entries(STORAGE_TYPES).find(([, d]) => d === dtype);
  if (!hit) throw new CheckpointError(`dtype ${dtype} has no torch storage type`);
  return hit[0];
}

/**
 * One storage: `numel` elements of `dtype`, shared by every tensor that views it. `bytes`
 * (exactly numel * element size) may arrive after the tensors are built (legacy format):
 * tensors of a storage without bytes are filled in by `LoadContext.finish`.
 */
export class TorchStorage {
  constructor(
    readonly key: string,
    readonly dtype: DType,
    readonly numel: number,
    public bytes: Uint8Array | null,
  ) {}
}

/** per-load state: the file's read budget and the tensors waiting for their storage's bytes */
export class LoadContext {
  private readonly pending: (() => void)[] = [];

  constructor(readonly budget: ReadBudget) {}

  defer(fill: () => void): void {
    this.pending.push(fill);
  }

  /** fills every deferred tensor (all storages must have their bytes by now) */
  finish(): void {
    for (const fill of this.pending) fill();
    this.pending.length = 0;
  }
}

function fail(msg: string): never {
  throw new CheckpointError(msg);
}

function intOf(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${what} is ${String(v)}, not a non-negative integer`);
  return v;
}

function intTuple(v: unknown, what: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? (v as unknown[]) : fail(`${what} is not a tuple`);
  if (items.length > 64) fail(`${what} has ${items.length} dimensions`);
  return items.map((x, i) => intOf(x, `${what}[${i}]`));
}

/** builds the tensor viewing `storage` at (offset, size, stride) */
export function rebuildTensor(storageArg: unknown, offsetArg: unknown, sizeArg: unknown, strideArg: unknown, ctx: LoadContext): NamedArray {
  if (!(storageArg instanceof TorchStorage)) fail('tensor without a storage');
  const storage = storageArg;
  const offset = intOf(offsetArg, 'storage offset');
  const shape = intTuple(sizeArg, 'size');
  const stride = intTuple(strideArg, 'stride');
  if (shape.length !== stride.length) fail(`size has ${shape.length} dimensions but stride has ${stride.length}`);
  const count = numel(shape);
  if (!Number.isSafeInteger(count)) fail(`size [${shape.join(',')}] is too large`);
  const dtype = storage.dtype;
  if (count === 0) return { dtype, shape, data: allocData(dtype, 0) };
  let last = offset;
  for (let d = 0; d < shape.length; d++) last += (shape[d] - 1) * stride[d];
  if (last >= storage.numel) fail(`tensor [${shape.join(',')}] at offset ${offset} with stride [${stride.join(',')}] reaches element ${last} of a ${storage.numel}-element storage`);
  let expect = 1;
  let contiguous = true;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expect) contiguous = false;
    expect *= shape[d];
  }
  const size = DTYPE_SIZE[dtype];
  if (!contiguous) ctx.budget.data.take(count * size, `strided tensor [${shape.join(',')}]`);
  const materialize = (bytes: Uint8Array) => {
    if (contiguous) return viewOrCopy(dtype, bytes, offset * size, count, ctx.budget.data);
    const out = new Uint8Array(count * size);
    gather(bytes, out, offset, shape, stride, size);
    return viewOrCopy(dtype, out, 0, count);
  };
  if (storage.bytes) return { dtype, shape, data: materialize(storage.bytes) };
  const t: NamedArray = { dtype, shape, data: allocData(dtype, 0) };
  ctx.budget.meta.take(COST.entry, 'the pickle');
  ctx.defer(() => {
    if (!storage.bytes) fail(`storage ${quote(storage.key)} has no data`);
    t.data = materialize(storage.bytes);
  });
  return t;
}

/** copies the elements of a strided view into row-major order */
function gather(src: Uint8Array, dst: Uint8Array, offset: number, shape: number[], stride: number[], size: number): void {
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  const inner = shape[nd - 1];
  const innerStride = stride[nd - 1] * size;
  let at = 0;
  let base = offset * size;
  for (;;) {
    let s = base;
    for (let i = 0; i < inner; i++, s += innerStride) {
      for (let b = 0; b < size; b++) dst[at++] = src[s + b];
    }
    let d = nd - 2;
    for (; d >= 0; d--) {
      idx[d]++;
      base += stride[d] * size;
      if (idx[d] < shape[d]) break;
      base -= idx[d] * stride[d] * size;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

function tensorArg(v: unknown, what: string): NamedArray {
  if (typeof v !== 'object' || v === null || !('dtype' in v)) fail(`${what} is not a tensor`);
  return v as NamedArray;
}

/** the allow-list, with tensor copies charged to the context's budget */
export function torchGlobals(ctx: LoadContext): Map<string, PyGlobal> {
  const g = new Map<string, PyGlobal>();
  const add = (qualname: string, call: (args: unknown[]) => unknown) => g.set(qualname, { qualname, call });
  for (const [name, dtype] of Object.entries(STORAGE_TYPES)) g.set(`torch.${name}`, new StorageType(`torch.${name}`, dtype));
  add('collections.OrderedDict', (args) => {
    const d = new PyDict(true);
    if (args.length === 0) return d;
    if (args.length !== 1 || !Array.isArray(args[0])) fail('OrderedDict takes no arguments or a list of pairs');
    for (const pair of args[0] as unknown[]) {
      if (!(pair instanceof PyTuple) || pair.items.length !== 2) fail('OrderedDict item is not a pair');
      d.set(pair.items[0], pair.items[1]);
    }
    return d;
  });
  add('torch._utils._rebuild_tensor_v2', (a) => {
    if (a.length < 6 || a.length > 7) fail(`takes 6 or 7 arguments, got ${a.length}`);
    return rebuildTensor(a[0], a[1], a[2], a[3], ctx);
  });
  add('torch._utils._rebuild_tensor', (a) => {
    if (a.length !== 4) fail(`takes 4 arguments, got ${a.length}`);
    return rebuildTensor(a[0], a[1], a[2], a[3], ctx);
  });
  add('torch._utils._rebuild_parameter', (a) => {
    if (a.length !== 3) fail(`takes 3 arguments, got ${a.length}`);
    return tensorArg(a[0], 'parameter data');
  });
  add('torch._utils._rebuild_parameter_with_state', (a) => {
    if (a.length !== 4) fail(`takes 4 arguments, got ${a.length}`);
    return tensorArg(a[0], 'parameter data');
  });
  return g;
}
