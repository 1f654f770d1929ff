/**
 * The one options type every attack is created from (the eval options schema in
 * src/eval/options.ts produces it). Only `epsilon` is required; each registry entry states the
 * defaults it fills in for the fields it reads (`resolveOptions`), so a printed protocol always
 * shows the values that actually ran. Randomness never comes from here: the caller seeds the
 * generator it hands to `create` (and, for stochastic forwards, the context's).
 */
import type { Surrogate } from '../kernels/backend.js';
import type { AnnActivation } from '../snn/model.js';

export interface AttackOptions {
  /** L-inf radius in [0,1] pixel space (8/255 ~ 0.031 on CIFAR) */
  epsilon: number;
  /** iterations of a gradient attack (pgd: 7, the seed's) */
  steps?: number;
  /** step size of PGD in pixel units (0.01, the seed's) */
  stepSize?: number;
  /** independent runs, each from its own random start; per sample the strongest is kept (1) */
  restarts?: number;
  /** start from a uniform point of the eps-ball instead of the clean image (PGD: true) */
  randomStart?: boolean;
  /** forward passes a score-based attack may spend per image */
  queries?: number;
  /** target classes a targeted attack tries in turn, most likely first */
  targets?: number;
  /** attack-time surrogates the ensemble differentiates through, one member each */
  surrogates?: readonly Surrogate[];
  /**
   * the ANN a transfer attack crafts on, where the SNN's neurons are: `relu` (the network it was
   * converted from) or `threshold-scaled`, clamp(I/θ, 0, 1) (the rate each neuron fires at)
   */
  annActivation?: AnnActivation;
}

/** epsilon plus the options named `K`, all set: what an attack's class takes of them (besides its generator) */
export type OptionsOf<K extends keyof AttackOptions> = { epsilon: number } & Required<Pick<AttackOptions, K>>;

/** an option value that is out of range, or an attack that does not apply: a user error, one line */
export class AttackOptionError extends Error {}

export type AttackOptionName = keyof AttackOptions;

export function checkEpsilon(eps: number, what = 'epsilon'): void {
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new AttackOptionError(`${what} must be a finite number >= 0, got ${eps}`);
}

export function checkWhole(v: number, what: string, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new AttackOptionError(`${what} must be a whole number >= ${min}, got ${v}`);
}
