/**
 * Per-sample bookkeeping for attacks that restart or stop early: sub-batches of the samples
 * still to break, and for every sample the best adversarial found so far (the first image that
 * breaks it, else the one with the highest attack loss).
 */
import type { Batch } from './base.js';
import type { Rng } from '../snn/dropout.js';
import { Rng as SeededRng, mixSeed } from '../data/rng.js';

/** a 32-bit seed drawn from an attack's generator, from which its per-sample generators derive */
export function drawSeed(rng: Rng): number {
  return Math.floor(rng.uniform() * 2 ** 32);
}

/**
 * One generator per sample, keyed by the sample's index in the batch the attack was given (and
 * by `stream`: a restart, a target, an ensemble member), so an image's random choices do not
 * depend on which other images are still being attacked alongside it.
 */
export function sampleRngs(seed: number, stream: readonly number[], ids: readonly number[]): Rng[] {
  return ids.map((id) => new SeededRng(mixSeed(seed, ...stream, id)));
}

export function pixelsPerSample(batch: Batch): number {
  return batch.x01.length / batch.labels.length;
}

/** 0, 1, ..., n - 1 */
export function allSamples(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** rows `indices` of data (rows of `size` values), concatenated */
export function gatherRows(data: Float32Array, size: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * size);
  indices.forEach((i, k) => out.set(data.subarray(i * size, (i + 1) * size), k * size));
  return out;
}

/** the samples `indices` of a batch, in that order (their images taken from `images`, default the batch's) */
export function subBatch(batch: Batch, indices: readonly number[], images: Float32Array = batch.x01): Batch {
  const size = pixelsPerSample(batch);
  return {
    x01: gatherRows(images, size, indices),
    shape: [indices.length, ...batch.shape.slice(1)],
    labels: indices.map((i) => batch.labels[i]),
    ...(batch.targets ? { targets: indices.map((i) => batch.targets![i]) } : {}),
  };
}

export class BestAdversarials {
  /** the current pick per sample, [B, ...]; the clean image until something is offered */
  readonly images: Float32Array;
  readonly broken: Uint8Array;
  /** attack loss of the current pick (-Infinity: none yet) */
  readonly scores: Float64Array;
  private readonly size: number;

  constructor(batch: Batch) {
    this.images = Float32Array.from(batch.x01);
    this.broken = new Uint8Array(batch.labels.length);
    this.scores = new Float64Array(batch.labels.length).fill(-Infinity);
    this.size = pixelsPerSample(batch);
  }

  /** indices of the samples not broken yet */
  remaining(): number[] {
    const out: number[] = [];
    this.broken.forEach((b, i) => b || out.push(i));
    return out;
  }

  /** a candidate for sample i: kept if it breaks the sample first, or scores higher than the pick */
  offer(i: number, image: Float32Array, broken: boolean, score: number): void {
    if (this.broken[i]) return;
    if (!broken && !(score > this.scores[i])) return;
    this.images.set(image, i * this.size);
    this.scores[i] = score;
    if (broken) this.broken[i] = 1;
  }

  /** candidates for samples `indices`, row k of `images` for indices[k] */
  offerRows(indices: readonly number[], images: Float32Array, broken: ArrayLike<boolean | number>, scores: ArrayLike<number>): void {
    indices.forEach((i, k) => this.offer(i, images.subarray(k * this.size, (k + 1) * this.size), Boolean(broken[k]), scores[k]));
  }
}
