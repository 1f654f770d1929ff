/**
 * Top-k accuracy over batches of logits, scored as PyTorch's argmax / topk do: a label's rank
 * is the number of logits above it plus the number of equal logits at a lower index (ties go
 * to the first index). A row with any NaN or ±Inf is wrong at every k. The meter also counts
 * the rows that are degenerate, so a table can say how many scores are not real predictions.
 */

/** how one row of logits was scored */
export interface RowScore {
  /** 0-based rank of the label (Infinity when the row is non-finite) */
  rank: number;
  /** the row holds a NaN or ±Inf: scored wrong */
  nonFinite: boolean;
  /** every logit of the (finite) row is equal, e.g. no spike reached the output layer */
  allEqual: boolean;
}

/** ranks the label of row `row` of a [rows, classes] array of logits */
export function scoreRow(logits: ArrayLike<number>, row: number, classes: number, label: number): RowScore {
  const base = row * classes;
  const v = logits[base + label];
  const first = logits[base];
  let rank = 0;
  let allEqual = true;
  for (let j = 0; j < classes; j++) {
    const x = logits[base + j];
    if (!Number.isFinite(x)) return { rank: Infinity, nonFinite: true, allEqual: false };
    if (x !== first) allEqual = false;
    if (x > v || (x === v && j < label)) rank++;
  }
  return { rank, nonFinite: false, allEqual };
}

/** is the label among the top k of row i (PyTorch's tie rule; non-finite rows never are)? */
export function inTopK(logits: ArrayLike<number>, row: number, classes: number, label: number, k: number): boolean {
  return scoreRow(logits, row, classes, label).rank < k;
}

/** number of rows of logits [B, K] whose label is top-1 (the training log's accuracy, scored like `hire-snn eval`) */
export function countCorrect(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (inTopK(logits, i, classes, labels[i], 1)) correct++;
  return correct;
}

/** top-1 / top-5 counts plus how many rows were non-finite or all-equal */
export class AccuracyMeter {
  top1 = 0;
  top5 = 0;
  count = 0;
  /** images whose logits held a NaN or ±Inf (each scored wrong) */
  nonFinite = 0;
  /** images whose logits were all equal (scored by the first-index rule: correct only for label 0) */
  allEqual = 0;

  add(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): void {
    const k5 = Math.min(5, classes);
    for (let i = 0; i < labels.length; i++) {
      const s = scoreRow(logits, i, classes, labels[i]);
      if (s.rank < 1) this.top1++;
      if (s.rank < k5) this.top5++;
      if (s.nonFinite) this.nonFinite++;
      if (s.allEqual) this.allEqual++;
    }
    this.count += labels.length;
  }

  /** percent */
  get top1Percent(): number {
    return this.count ? (100 * this.top1) / this.count : 0;
  }

  get top5Percent(): number {
    return this.count ? (100 * this.top5) / this.count : 0;
  }

  /** warnings for a table or log, e.g. "3 images gave non-finite outputs"; empty when there are none */
  notes(): string[] {
    const out: string[] = [];
    const images = (n: number) => `${n} image${n === 1 ? '' : 's'}`;
    if (this.nonFinite) out.push(`${images(this.nonFinite)} gave non-finite outputs (scored wrong)`);
    if (this.allEqual) out.push(`${images(this.allEqual)} gave all-equal outputs (scored as class 0, like argmax)`);
    return out;
  }
}
