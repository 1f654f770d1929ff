/** What every spiking model offers to training, attacks, evaluation and checkpoints. */
import type { Tensor } from '../tensor/tensor.js';
import type { Surrogate } from '../kernels/index.js';
import type { ModelSpec } from './spec.js';
import type { Rng } from './dropout.js';
import { z } from 'zod';

/** per-channel (x - mean) / std on [0,1] pixels, done inside the model so attacks work in pixel space */
export interface Normalization {
  mean: readonly number[];
  std: readonly number[];
}

export const NormalizationSchema: z.ZodType<Normalization> = z
  .object({ mean: z.array(z.number()).min(1), std: z.array(z.number().positive()).min(1) })
  .refine((n) => n.mean.length === n.std.length, 'mean and std need one value per channel');

/** input encodings: the analog image at every step, or Poisson spikes with its pixel intensities as rates */
export const ENCODINGS = ['direct', 'poisson'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** a spiking layer as evaluation and energy accounting see it */
export interface SpikingLayerInfo {
  /** threshold/leak key suffix in the seed's naming, e.g. 't3' -> threshold.t3, leak.l3 */
  index: number;
  /** module name, e.g. features.3 or classifier.0 */
  name: string;
  /** spiking neurons per image */
  neurons: number;
}

/** a weighted op (conv or linear) as the energy model sees it */
export interface WeightedOp {
  name: string;
  /** multiply-accumulates per image for one evaluation of the op */
  macs: number;
  /** what it reads: the analog image (MACs, once per image) or the spikes of a spiking layer (ACs per input spike) */
  input: { kind: 'analog' } | { kind: 'spikes'; layer: number };
}

export interface ForwardOptions {
  timesteps: number;
  /** training mode: dropout masks drawn from rng (eval mode: no dropout) */
  train?: boolean;
  rng?: Rng;
  /**
   * Threshold calibration hook, called before each spiking layer with its input current
   * (all steps, or one step reused when constant). The returned value becomes the layer's
   * threshold for this pass (and for the model), with leak 1.0: the seed's layer-by-layer
   * search done in one pass, since a layer's current depends only on earlier layers.
   */
  calibrate?: (layer: number, current: Float32Array, stepSize: number, constantCurrent: boolean) => number;
  /** per spiking layer index: the membrane (after reset) to start from, [B x neurons]; default rest */
  initialMembrane?: Map<number, Float32Array>;
  /** return every spiking layer's membrane after the last step (to continue from it) */
  captureMembrane?: boolean;
  /** input encoding: direct (analog image at every step, the default) or Poisson spikes */
  encoding?: Encoding;
  /**
   * the ds/dz every spiking layer's backward uses (default: the training surrogate, pwl with
   * gamma 0.3 and width 1); attacks pass others (the forward is the same for all)
   */
  surrogate?: Surrogate;
  /**
   * called after each spiking layer's scan with its input and spikes (unpooled: a layer that
   * pools is not fused with its pool while observed), e.g. to draw the spikes step by step
   */
  observe?: (scan: LayerScan) => void;
}

/** one spiking layer's scan over the T steps; the arrays are valid only during the call (copy what you keep) */
export interface LayerScan {
  /** the layer's threshold/leak key index (SpikingLayerInfo.index) */
  index: number;
  /** input current, [B, ...] reused at every step when constantCurrent, else [T*B, ...] step-major */
  current: Float32Array;
  constantCurrent: boolean;
  /** 0/1 spikes, [T*B, ...] step-major */
  spikes: Float32Array;
  /** shape of `spikes` */
  shape: readonly number[];
  leak: number;
  threshold: number;
}

/**
 * The ANN pass's activation where the neurons were: `relu` (the network pretrained before
 * conversion), or `threshold-scaled`, clamp(I/θ, 0, 1) with θ the layer's threshold: the rate
 * an integrate-and-fire neuron fires at under a constant current I (thresholds get no gradient)
 */
export const ANN_ACTIVATIONS = ['relu', 'threshold-scaled'] as const;
export type AnnActivation = (typeof ANN_ACTIVATIONS)[number];

export interface AnnOptions {
  /** training mode: dropout masks drawn from rng */
  train?: boolean;
  rng?: Rng;
  /** default relu */
  activation?: AnnActivation;
}

export interface ForwardResult {
  /** summed over the steps: [B, labels] */
  logits: Tensor;
  /** spikes per spiking layer (sum over batch, steps and neurons), in layer order */
  spikeCounts: number[];
  /** with captureMembrane: per spiking layer index, the membrane after the last step */
  finalMembrane?: Map<number, Float32Array>;
}

export interface SpikingModel {
  readonly spec: ModelSpec;
  readonly normalization: Normalization;
  /** parameters under the seed's state_dict key names, in state_dict order */
  readonly params: Map<string, Tensor>;
  forward(x01: Tensor, opts: ForwardOptions): ForwardResult;
  /** ReLU network with the same weights (ANN pretraining), logits [B, labels] */
  forwardAnn(x01: Tensor, opts?: AnnOptions): Tensor;
  spikingLayers(): SpikingLayerInfo[];
  /** every conv/linear with its MACs and what it reads, for the energy model */
  weightedOps(): WeightedOp[];
}
