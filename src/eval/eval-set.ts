/**
 * The images an evaluation runs on, held in memory once ([0,1] pixels, dataset order), so that
 * the chained suite can gather the samples still correct from anywhere into full batches.
 */
import type { Batch } from '../data/batch.js';

export interface EvalSet {
  /** what the images are, for messages: "cifar10 test", "inputs case.safetensors" */
  what: string;
  count: number;
  /** C, H, W */
  imageShape: readonly [number, number, number];
  /** count x C x H x W pixels in [0,1] */
  x01: Float32Array;
  labels: Int32Array;
}

export function imageLength(set: Pick<EvalSet, 'imageShape'>): number {
  const [c, h, w] = set.imageShape;
  return c * h * w;
}

/** the samples at `indices` as one batch (images copied) */
export function gather(set: EvalSet, indices: ArrayLike<number>): Batch {
  const per = imageLength(set);
  const x01 = new Float32Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    x01.set(set.x01.subarray(i * per, (i + 1) * per), k * per);
    labels[k] = set.labels[i];
  }
  return { x01, shape: [indices.length, ...set.imageShape], labels };
}

/** indices split into consecutive chunks of at most `size` */
export function* chunks(indices: Int32Array, size: number): Generator<Int32Array> {
  for (let s = 0; s < indices.length; s += size) yield indices.subarray(s, Math.min(indices.length, s + size));
}

export function allIndices(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
