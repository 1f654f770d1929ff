/**
 * The seed's percentile: k = 1 + round(0.01 * q * (n - 1)), the k-th smallest value
 * (torch.kthvalue). Python's round() is round-half-to-even, so is ours.
 */

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; Python rounds it to the even neighbour
  if (Math.abs(x % 1) === 0.5) return 2 * Math.round(x / 2);
  return r;
}

export function percentileRank(n: number, q: number): number {
  return 1 + roundHalfEven(0.01 * q * (n - 1));
}

/** k-th smallest (1-based) of values[offset .. offset+n) without modifying the input */
export function kthSmallest(values: Float32Array, k: number, offset = 0, n = values.length - offset): number {
  if (k < 1 || k > n) throw new Error(`kthSmallest: k=${k} out of 1..${n}`);
  const a = values.slice(offset, offset + n);
  let lo = 0;
  let hi = n - 1;
  const target = k - 1;
  // Hoare-partition quickselect with median-of-three pivots
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}

/** the seed's percentile of one tensor's values */
export function percentile(values: Float32Array, q: number, offset = 0, n = values.length - offset): number {
  return kthSmallest(values, percentileRank(n, q), offset, n);
}
