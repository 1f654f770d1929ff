/**
 * Deterministic mini-batches: the same (dataset, options, seed, epoch) gives the same batches.
 * The shuffle of epoch e comes from mixSeed(seed, e), and the augmentation of batch k of epoch e
 * from mixSeed(seed, e, k), so any batch can be rebuilt on its own (e.g. when resuming).
 * Pixels are returned in [0,1]; normalisation is the model's job.
 */
import { bytesTo01, cropFlipInto, drawCropFlip, type AugmentOptions } from './augment.js';
import type { Dataset } from './dataset.js';
import { imageSize } from './dataset.js';
import { mixSeed, Rng } from './rng.js';
import type { Batch } from './batch.js';

export interface BatchLoaderOptions {
  batchSize: number;
  /** shuffle every epoch (default false: file order) */
  shuffle?: boolean;
  /** default 0 */
  seed?: number;
  /** random crop with zero padding + horizontal flip; true means { pad: 4, flip: true } (default false) */
  augment?: boolean | AugmentOptions;
  /** leave out the last, smaller batch (default false) */
  dropLast?: boolean;
}

/** a batch of the loader, with where it came from */
export interface LoadedBatch extends Batch {
  labels: Int32Array;
  /** dataset index of each image */
  indices: Int32Array;
  size: number;
  /** position of the batch in its epoch */
  index: number;
  epoch: number;
}

const SHUFFLE_STREAM = 0x5348;
const AUGMENT_STREAM = 0x4147;

export class BatchLoader implements Iterable<LoadedBatch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly augment: AugmentOptions | null;
  readonly dropLast: boolean;
  /** the epoch that the next `for (const b of loader)` runs */
  nextEpoch = 0;
  private cached: { epoch: number; order: Int32Array } | null = null;

  constructor(dataset: Dataset, opts: BatchLoaderOptions) {
    if (!(Number.isInteger(opts.batchSize) && opts.batchSize > 0)) throw new RangeError(`batchSize must be a whole number > 0, got ${opts.batchSize}`);
    this.dataset = dataset;
    this.batchSize = opts.batchSize;
    this.shuffle = opts.shuffle ?? false;
    this.seed = opts.seed ?? 0;
    this.augment = opts.augment === true ? {} : opts.augment ? opts.augment : null;
    this.dropLast = opts.dropLast ?? false;
  }

  /** batches per epoch */
  get length(): number {
    const n = this.dataset.count;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** the dataset indices of epoch `epoch`, in the order they are served */
  order(epoch: number): Int32Array {
    if (this.cached?.epoch === epoch) return this.cached.order;
    const n = this.dataset.count;
    let order: Int32Array;
    if (this.shuffle) {
      order = new Rng(mixSeed(this.seed, epoch, SHUFFLE_STREAM)).permutation(n);
    } else {
      order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
    }
    this.cached = { epoch, order };
    return order;
  }

  /** batch `k` of epoch `epoch` */
  batch(epoch: number, k: number): LoadedBatch {
    if (!(Number.isInteger(k) && k >= 0 && k < this.length)) throw new RangeError(`batch index ${k} outside 0..${this.length - 1}`);
    const d = this.dataset;
    const order = this.order(epoch);
    const start = k * this.batchSize;
    const size = Math.min(this.batchSize, d.count - start);
    const px = imageSize(d);
    const x01 = new Float32Array(size * px);
    const labels = new Int32Array(size);
    const indices = order.slice(start, start + size);
    const rng = this.augment ? new Rng(mixSeed(this.seed, epoch, k, AUGMENT_STREAM)) : null;
    for (let b = 0; b < size; b++) {
      const i = indices[b];
      labels[b] = d.labels[i];
      if (rng && this.augment) cropFlipInto(d.images, i * px, d, drawCropFlip(rng, this.augment), x01, b * px, 1 / 255);
      else bytesTo01(d.images, i * px, px, x01, b * px);
    }
    return { x01, shape: [size, d.channels, d.height, d.width], labels, indices, size, index: k, epoch };
  }

  /** all batches of one epoch */
  *epoch(epoch: number): Generator<LoadedBatch> {
    for (let k = 0; k < this.length; k++) yield this.batch(epoch, k);
  }

  /** iterates epoch `nextEpoch`, then advances it */
  [Symbol.iterator](): Iterator<LoadedBatch> {
    return this.epoch(this.nextEpoch++);
  }
}
