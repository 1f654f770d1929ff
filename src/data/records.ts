/**
 * Fixed-size labelled records (CIFAR binary: label byte(s) then C*H*W pixel bytes), written
 * straight into a dataset's arrays as the bytes stream in, keeping only records in a range.
 */
import type { MemberSink } from './archive.js';
import { corrupt } from './errors.js';

export interface RecordLayout {
  /** label bytes at the start of each record */
  labelBytes: number;
  /** which label byte is the dataset's label */
  labelIndex: number;
  /** exclusive upper bound of each label byte, for validation */
  labelLimits: number[];
  /** names of the label bytes, for messages */
  labelNames: string[];
  pixelBytes: number;
}

export const recordSize = (l: RecordLayout): number => l.labelBytes + l.pixelBytes;

/** the arrays that records are written into; index 0 holds global record `start` */
export interface RecordTarget {
  images: Uint8Array;
  labels: Uint8Array;
  /** global record range kept: [start, end) */
  start: number;
  end: number;
}

/** number of whole records in a file of `bytes` bytes, or a DataError naming the file */
export function countRecords(file: string, bytes: number, layout: RecordLayout, what: string): number {
  const r = recordSize(layout);
  if (bytes === 0) throw corrupt(file, `empty file (expected ${what} records of ${r} bytes)`);
  if (bytes % r !== 0) {
    throw corrupt(
      file,
      `size ${bytes} is not a whole number of ${r}-byte records (${Math.floor(bytes / r)} records + ${bytes % r} bytes): ` +
        `truncated, or not a ${what} file`,
    );
  }
  return bytes / r;
}

/**
 * A sink for one file whose first record is global record `base` and which holds `records`
 * records. Bytes outside the target range are skipped; write() returns true once past it.
 */
export function recordSink(file: string, layout: RecordLayout, target: RecordTarget, base: number, records: number): MemberSink {
  const R = recordSize(layout);
  const L = layout.labelBytes;
  const P = layout.pixelBytes;
  const total = records * R;
  let pos = 0; // bytes of this file consumed so far
  const pastRange = (): boolean => base + Math.floor(pos / R) >= target.end;
  return {
    write(chunk: Uint8Array): boolean {
      const n = chunk.length;
      if (pos + n > total) throw corrupt(file, `longer than the expected ${total} bytes`);
      let i = 0;
      while (i < n) {
        const r = Math.floor(pos / R);
        const g = base + r;
        if (g >= target.end) return true;
        const o = pos - r * R;
        if (g < target.start) {
          // skip to the next record
          const skip = Math.min(R - o, n - i);
          i += skip;
          pos += skip;
          continue;
        }
        const out = g - target.start;
        if (o < L) {
          const v = chunk[i];
          if (v >= layout.labelLimits[o]) {
            throw corrupt(file, `record ${r}: ${layout.labelNames[o]} ${v} is out of range 0..${layout.labelLimits[o] - 1}`);
          }
          if (o === layout.labelIndex) target.labels[out] = v;
          i++;
          pos++;
          continue;
        }
        const take = Math.min(R - o, n - i);
        const dst = out * P + (o - L);
        target.images.set(chunk.subarray(i, i + take), dst);
        i += take;
        pos += take;
      }
      return pastRange();
    },
    end(): void {
      if (pos < total && !pastRange()) throw corrupt(file, `truncated: ${pos} of ${total} bytes`);
    },
  };
}
