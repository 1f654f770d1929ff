/**
 * What reading one checkpoint may allocate besides the file's own bytes, so that no file can
 * make a reader allocate (or work) without bound. Two pools, each what a real checkpoint of
 * the file's size can need:
 *  - tensor data (inflated storages, copies of unaligned or strided tensors): 128 MiB + 4 x
 *    the file (torch stores storages uncompressed; re-zipped floats inflate ~1.1x);
 *  - everything else (inflated pickles, unpickled values, the zip directory, a safetensors
 *    header): 128 MiB + the file / 8 (a state_dict's pickle holds ~20 values, ~3 KB, per tensor: about 40k tensors in a small file).
 * Values are charged by an estimate of their heap size (COST), so the pools bound the heap.
 */
import { CheckpointError } from './errors.js';

const MIB = 2 ** 20;

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < MIB) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${(bytes / 1024 / MIB).toFixed(2)} GiB`;
}

/** estimated heap bytes per value (V8, 64-bit; checked against real heap use by test/io/bombs.test.ts) */
export const COST = {
  /** a reference: a stack slot, a list or tuple element (with the array's growth) */
  slot: 24,
  /** an empty list, or the array behind a MARK */
  list: 64,
  tuple: 96,
  /** a dict: a Map and its attribute Map */
  dict: 512,
  /** a key/value in a dict, the memo or an attribute map (with the table's growth) */
  entry: 96,
  /** a string, bigint or boxed number besides its characters or digits */
  scalar: 48,
  /** a tensor record with its typed array view, a bytes object */
  tensor: 320,
  /** a storage record and its cache entry */
  storage: 160,
  /** a zip directory entry besides its name */
  zipEntry: 192,
  /** a JSON value (a separator or an opening bracket; 32 bytes measured for `{}`) */
  json: 40,
} as const;

export class Budget {
  private used = 0;

  constructor(readonly limit: number, private readonly kind: string, private readonly fileBytes: number) {}

  get remaining(): number {
    return this.limit - this.used;
  }

  get spent(): number {
    return this.used;
  }

  /** charges `bytes`; throws a one-line CheckpointError naming `what` when the pool is spent */
  take(bytes: number, what: string): void {
    this.used += bytes;
    if (this.used > this.limit) {
      throw new CheckpointError(`${what} needs more than the ${sizeText(this.limit)} of ${this.kind} that a ${sizeText(this.fileBytes)} checkpoint can need; refusing`);
    }
  }
}

export interface ReadBudget {
  /** inflated storages, tensor copies */
  data: Budget;
  /** pickles and their values, zip directories, headers */
  meta: Budget;
}

export function readBudget(fileBytes: number): ReadBudget {
  return {
    data: new Budget(128 * MIB + 4 * fileBytes, 'tensor data', fileBytes),
    meta: new Budget(128 * MIB + Math.floor(fileBytes / 8), 'memory for pickles and headers', fileBytes),
  };
}
