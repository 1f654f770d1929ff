/**
 * Attack-time surrogates by name, and the surrogate ensemble's default members. The LIF
 * backward's ds/dz is swappable at attack time (src/kernels/backend.ts states the shapes); the
 * forward is the same for all, so a surrogate only changes the gradient an attack follows.
 */
import type { Surrogate } from '../kernels/backend.js';
import { TRAINING_SURROGATE } from '../snn/lif.js';

/** 'pwl:1', 'exp:0.5', 'ste', 'rate' (with '@gamma' when the peak is not the training surrogate's) */
export function formatSurrogate(s: Surrogate): string {
  const shape = s.kind === 'ste' || s.kind === 'rate' ? s.kind : `${s.kind}:${s.width}`;
  return s.gamma === TRAINING_SURROGATE.gamma || s.kind === 'rate' ? shape : `${shape}@${s.gamma}`;
}

const member = (kind: Surrogate['kind'], width = 1): Surrogate => ({ kind, gamma: TRAINING_SURROGATE.gamma, width });

/**
 * The ensemble's default members, chosen to differ where gradient masking hides: the model's own
 * piecewise-linear window (pwl:1), a narrower one closer to the true step (pwl:0.5) and a wider
 * one that also passes gradient through neurons far from threshold (pwl:2), exponential tails
 * that never vanish (exp:1), straight-through (ste: every neuron passes gradient) and the
 * rate-based backward through time-averaged firing rates (BPTR / RGA, Bu et al. CVPR 2023), a
 * different estimator altogether. Left out as near-duplicates: rect (a box, close to pwl) and
 * sigmoid (a smooth bell with exponential tails, close to exp).
 */
export const DEFAULT_ENSEMBLE: readonly Surrogate[] = Object.freeze([
  member('pwl', 1), member('pwl', 0.5), member('pwl', 2), member('exp', 1), member('ste'), member('rate'),
]);
