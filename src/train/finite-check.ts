/**
 * Divergence checks: training stops as soon as the loss or any parameter (weights, thresholds,
 * leaks) stops being finite, before anything is saved, so the run folder keeps the last good
 * state; a --init checkpoint with non-finite values is refused before a run folder exists.
 */

/** index of the first NaN / ±Inf in `data`, or -1 */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x - x !== 0) return i; // NaN - NaN and Inf - Inf are NaN
  }
  return -1;
}

/** "conv1.weight[12] = NaN (and 3 more parameters)" for the first non-finite parameter, or null */
export function describeNonFinite(params: ReadonlyMap<string, { data: ArrayLike<number> }>): string | null {
  let first: string | null = null;
  let more = 0;
  for (const [key, p] of params) {
    const i = firstNonFinite(p.data);
    if (i < 0) continue;
    if (first === null) first = `${key}[${i}] = ${String(p.data[i])}`;
    else more++;
  }
  if (first === null) return null;
  return more ? `${first} (and ${more} more parameter${more === 1 ? '' : 's'})` : first;
}

export class TrainingDivergedError extends Error {
  override name = 'TrainingDivergedError';
}

/** throws a TrainingDivergedError naming the step, what became non-finite and what the run folder kept (`kept`) */
export function checkStepFinite(loss: number, params: ReadonlyMap<string, { data: ArrayLike<number> }>, where: string, kept: string): void {
  const bad = !Number.isFinite(loss) ? `loss ${loss}` : describeNonFinite(params);
  if (bad === null) return;
  throw new TrainingDivergedError(`training diverged at ${where} (${bad}); nothing after it was saved: ${kept}; lower --lr and start a new run`);
}
