/**
 * Buffers for kernel outputs that the kernel overwrites completely. Allocated without the
 * zero-fill (a 33 MiB `new Float32Array` spends about 1.5 ms clearing memory, and a VGG11 step
 * allocates dozens of them). Outside Node (browsers) this is a plain, zeroed Float32Array.
 *
 * Buffers whose owner knows they are dead (an intermediate gradient once pushed to the inputs,
 * a tape released after its backward, a layer's input in an inference forward) are handed to
 * `recycle` and reused by the next request of the same length: a fresh 64 MiB buffer costs
 * about 27 ms of page faults on first touch here, and garbage collection frees big buffers late.
 *
 * HIRE_SNN_POISON_BUFFERS=1 (set by the test suite) fills new and recycled buffers with NaN, so
 * a kernel that leaves an element unwritten, or a read of a recycled buffer, shows up as NaN in
 * the fixture comparisons.
 */
import { forgetNonzero } from './nonzero.js';
import { envVar } from '../env.js';

const poison = envVar('HIRE_SNN_POISON_BUFFERS') === '1';
const unsafe = typeof Buffer !== 'undefined' && typeof Buffer.allocUnsafeSlow === 'function';

/** smaller buffers are cheap to allocate and not worth tracking */
const MIN_RECYCLED_LENGTH = 1 << 16;
/** upper bound on the memory the pool holds idle */
const MAX_POOLED_BYTES = 2 ** 31;

const pool = new Map<number, Float32Array[]>();
const pooled = new Set<Float32Array>();
let pooledBytes = 0;
/** buffers handed out inside the innermost releasingBuffers call */
let scope: Float32Array[] | null = null;

export function outputBuffer(length: number): Float32Array {
  const buf = takeBuffer(length);
  scope?.push(buf);
  return buf;
}

function takeBuffer(length: number): Float32Array {
  const free = pool.get(length);
  if (free && free.length > 0) {
    const buf = free.pop()!;
    pooled.delete(buf);
    pooledBytes -= buf.byteLength;
    return buf;
  }
  if (poison) return new Float32Array(length).fill(NaN);
  // allocUnsafeSlow: never a slice of Node's shared pool, so the view owns its ArrayBuffer
  if (unsafe && length > 0) return new Float32Array(Buffer.allocUnsafeSlow(length * 4).buffer, 0, length);
  return new Float32Array(length);
}

/**
 * Runs fn (a forward without the tape, whose intermediates nobody keeps) and recycles every
 * buffer it took from outputBuffer except those `kept` names in its result (e.g. the logits).
 */
export function releasingBuffers<T>(fn: () => T, kept: (result: T) => readonly Float32Array[]): T {
  const outer = scope;
  const mine: Float32Array[] = [];
  scope = mine;
  let result: T;
  try {
    result = fn();
  } finally {
    scope = outer;
  }
  const keep = new Set(kept(result));
  for (const buf of mine) {
    if (!keep.has(buf)) recycle(buf);
    else outer?.push(buf);
  }
  return result;
}

/**
 * Hands a buffer nobody will read or write again to the next outputBuffer of its length. Only
 * whole, large buffers are kept (a view into a bigger ArrayBuffer is left to the collector);
 * recycling the same buffer twice is harmless.
 */
export function recycle(buf: Float32Array): void {
  if (buf.length < MIN_RECYCLED_LENGTH || buf.byteOffset !== 0 || buf.byteLength !== buf.buffer.byteLength) return;
  if (pooled.has(buf) || pooledBytes + buf.byteLength > MAX_POOLED_BYTES) return;
  forgetNonzero(buf);
  if (poison) buf.fill(NaN);
  let free = pool.get(buf.length);
  if (!free) pool.set(buf.length, (free = []));
  free.push(buf);
  pooled.add(buf);
  pooledBytes += buf.byteLength;
}

/** drops every idle buffer (memory back to the collector) */
export function clearBufferPool(): void {
  pool.clear();
  pooled.clear();
  pooledBytes = 0;
}
