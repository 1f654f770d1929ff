/**
 * Per-sample bookkeeping of an evaluation: for every sample the strongest image found so far
 * (lowest share of correct draws, then of top-5), its logits, and which setting broke it
 * first. A sample counts as robust in the worst case only if no setting broke it.
 */
import type { BatchScore } from './scoring.js';
import type { WorstCase } from './result-schema.js';

export class WorstCaseTracker {
  /** per sample, of the strongest image so far: share of draws correct in top-1 / top-5 */
  readonly top1: Float32Array;
  readonly top5: Float32Array;
  /** [n, classes] logits of that image (when kept) */
  readonly logits?: Float32Array;
  /** per sample: index into `settings` of the first setting that broke it, -1 while robust */
  readonly firstBrokenBy: Int32Array;
  readonly settings: string[] = [];

  constructor(readonly n: number, readonly classes: number, keepLogits: boolean) {
    this.top1 = new Float32Array(n).fill(Infinity);
    this.top5 = new Float32Array(n).fill(Infinity);
    this.firstBrokenBy = new Int32Array(n).fill(-1);
    if (keepLogits) this.logits = new Float32Array(n * classes);
  }

  /** records a setting's scores of the samples at `indices` (positions k of `score`) */
  offer(setting: string, indices: ArrayLike<number>, score: BatchScore): void {
    let s = this.settings.indexOf(setting);
    if (s < 0) s = this.settings.push(setting) - 1;
    const c = this.classes;
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      const stronger = score.top1[k] < this.top1[i] || (score.top1[k] === this.top1[i] && score.top5[k] < this.top5[i]);
      if (!stronger) continue;
      this.top1[i] = score.top1[k];
      this.top5[i] = score.top5[k];
      this.logits?.set(score.logits.subarray(k * c, (k + 1) * c), i * c);
      if (this.top1[i] === 0 && this.firstBrokenBy[i] < 0) this.firstBrokenBy[i] = s;
    }
  }

  /** the samples some draw still classifies correctly */
  stillCorrect(): Int32Array {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.top1[i] > 0) out.push(i);
    return Int32Array.from(out);
  }

  result(): WorstCase {
    const brokenFirstBy: Record<string, number> = Object.fromEntries(this.settings.map((s) => [s, 0]));
    let sum = 0;
    for (let i = 0; i < this.n; i++) {
      sum += this.top1[i];
      if (this.firstBrokenBy[i] >= 0) brokenFirstBy[this.settings[this.firstBrokenBy[i]]]++;
    }
    return { top1: this.n ? (100 * sum) / this.n : 0, brokenFirstBy };
  }
}

/** per-sample shares -> percent over all samples */
export function meanPercent(values: Float32Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? (100 * s) / values.length : 0;
}
