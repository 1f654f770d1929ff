/**
 * Dropout masks drawn once per forward pass and reused at every time step, as the seed
 * does (mask = Dropout(ones), i.e. inverted dropout: kept units scaled by 1/(1-p)).
 */
export interface Rng {
  /** uniform in [0, 1) */
  uniform(): number;
}

export function dropoutMask(size: number, p: number, rng: Rng): Float32Array {
  const mask = new Float32Array(size);
  if (p <= 0) return mask.fill(1);
  if (p >= 1) return mask;
  const keep = 1 / (1 - p);
  for (let i = 0; i < size; i++) mask[i] = rng.uniform() < p ? 0 : keep;
  return mask;
}
