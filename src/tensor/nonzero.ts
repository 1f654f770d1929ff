/**
 * Nonzero counts that a kernel already produced (the LIF's spike count, the average pool's, the
 * LIF backward's for the current's gradient), kept beside the buffer, so the event-driven layer
 * that consumes it picks sparse or dense without scanning it again. Op outputs are never written
 * after the op returns, so a noted count stays true; a reshape shares the buffer and with it the
 * count. A gradient that accumulates a second contribution in place, or a recycled buffer, drops
 * its note. (A stale count could only pick the slower kernel: both give the same numbers.)
 */
import { getBackend } from '../kernels/index.js';

const known = new WeakMap<Float32Array, number>();

export function noteNonzero(data: Float32Array, count: number): void {
  known.set(data, count);
}

/** a recycled buffer's note no longer holds */
export function forgetNonzero(data: Float32Array): void {
  known.delete(data);
}

/** the noted count, else one scan on the current backend */
export function nonzeroCount(data: Float32Array): number {
  return known.get(data) ?? getBackend().countNonzero(data);
}
