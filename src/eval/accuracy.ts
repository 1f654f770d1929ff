/** Top-k accuracy bookkeeping over batches of logits. */

/** is the label among the k largest logits of row i? (a tie with the label counts for it) */
export function inTopK(logits: ArrayLike<number>, row: number, classes: number, label: number, k: number): boolean {
  const v = logits[row * classes + label];
  let greater = 0;
  for (let j = 0; j < classes; j++) if (logits[row * classes + j] > v) greater++;
  return greater < k;
}

export class AccuracyMeter {
  private top1 = 0;
  private top5 = 0;
  count = 0;

  add(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): void {
    for (let i = 0; i < labels.length; i++) {
      if (inTopK(logits, i, classes, labels[i], 1)) this.top1++;
      if (inTopK(logits, i, classes, labels[i], Math.min(5, classes))) this.top5++;
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
}
