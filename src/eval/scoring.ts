/**
 * Scoring images on the evaluated model: one forward per draw (a deterministic model has one
 * draw; a Poisson-encoded one `evalSamples`, seeded), per sample the share of draws with the
 * label in the top 1 / top 5 (PyTorch's tie rule, non-finite outputs wrong: src/eval/accuracy.ts),
 * whether some draw's output was non-finite or all-equal, the mean logits and the spike counts.
 */
import { Tensor, noGrad } from '../tensor/tensor.js';
import { releasingBuffers } from '../tensor/buffer.js';
import type { SpikingModel } from '../snn/model.js';
import type { Batch } from '../data/batch.js';
import { Rng, mixSeed } from '../data/rng.js';
import { scoreRow } from './accuracy.js';

export interface ScoreContext {
  model: SpikingModel;
  timesteps: number;
  encoding: 'direct' | 'poisson';
  /** forwards per image (1 for a deterministic model) */
  draws: number;
  seed: number;
}

export interface BatchScore {
  /** per sample: share of draws whose top-1 / top-5 held the label (0 or 1 with one draw) */
  top1: Float32Array;
  top5: Float32Array;
  /** [B, classes], mean over the draws */
  logits: Float32Array;
  /** per sample: 1 if some draw's output held NaN/Inf, or had all logits equal (e.g. no output spike) */
  nonFinite: Uint8Array;
  allEqual: Uint8Array;
  /** per spiking layer, summed over batch, steps and draws */
  spikeCounts: number[];
}

const SCORE_STREAM = 0x53434f;

/** `stream` makes the draws of different settings and chunks independent (and reproducible) */
export function scoreBatch(s: ScoreContext, batch: Batch, stream: readonly number[]): BatchScore {
  const classes = s.model.spec.labels;
  const b = batch.labels.length;
  const top1 = new Float32Array(b);
  const top5 = new Float32Array(b);
  const sum = new Float64Array(b * classes);
  const nonFinite = new Uint8Array(b);
  const allEqual = new Uint8Array(b);
  const spikeCounts = s.model.spikingLayers().map(() => 0);
  const k5 = Math.min(5, classes);
  for (let d = 0; d < s.draws; d++) {
    const rng = s.encoding === 'poisson' ? new Rng(mixSeed(s.seed, SCORE_STREAM, ...stream, d)) : undefined;
    const out = releasingBuffers(
      () => noGrad(() => s.model.forward(new Tensor(batch.x01, batch.shape), { timesteps: s.timesteps, encoding: s.encoding, rng })),
      (r) => [r.logits.data],
    );
    const logits = out.logits.data;
    for (let i = 0; i < b; i++) {
      const r = scoreRow(logits, i, classes, batch.labels[i]);
      if (r.rank < 1) top1[i] += 1;
      if (r.rank < k5) top5[i] += 1;
      if (r.nonFinite) nonFinite[i] = 1;
      if (r.allEqual) allEqual[i] = 1;
    }
    for (let j = 0; j < sum.length; j++) sum[j] += logits[j];
    out.spikeCounts.forEach((c, l) => (spikeCounts[l] += c));
  }
  for (let i = 0; i < b; i++) {
    top1[i] /= s.draws;
    top5[i] /= s.draws;
  }
  const logits = new Float32Array(sum.length);
  for (let j = 0; j < sum.length; j++) logits[j] = sum[j] / s.draws;
  return { top1, top5, logits, nonFinite, allEqual, spikeCounts };
}

/** a stable 32-bit code of a name (FNV-1a), for seeding per attack */
export function nameCode(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
