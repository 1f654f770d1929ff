/**
 * The options of a training run, with their defaults and checks. A run's config is stored in
 * its resume state, so `--resume` continues with exactly the options that started it.
 */
import type { DatasetName } from '../data/dataset.js';

export type TrainMethod = 'ann' | 'snn' | 'hire';
export const TRAIN_METHODS: readonly TrainMethod[] = ['ann', 'snn', 'hire'];
export type OptimizerName = 'sgd' | 'adam';
export type ScheduleName = 'step' | 'cosine' | 'constant';
export type Encoding = 'direct' | 'poisson';
/** HIRE: noise added to the previous period's input (cumulative) or to the clean image */
export type NoiseMode = 'cumulative' | 'from-clean';
/** conversion from an --init checkpoint: auto = only when it is an ANN */
export type ConvertMode = 'auto' | 'always' | 'never';

export interface TrainConfig {
  method: TrainMethod;
  /** --arch as given (a preset name or a VGG layer list); undefined when it comes from --init */
  arch?: string;
  hidden?: number[];
  /** ResNet stage widths */
  widths?: number[];
  dropout: number;
  init?: string;
  convert: ConvertMode;
  dataset: DatasetName;
  /** dataset directory or archive (absolute); a resumed run reads it again unless --data says otherwise */
  data?: string;
  /** training images used (the first N of the train split) */
  limit?: number;
  /** test images for the per-epoch and final evaluation (the first N of the test split) */
  evalLimit?: number;
  timesteps: number;
  epochs: number;
  batch: number;
  lr: number;
  optimizer: OptimizerName;
  momentum: number;
  weightDecay: number;
  schedule: ScheduleName;
  /** step schedule: decay points as fractions of the epochs, and the factor */
  milestones: number[];
  gamma: number;
  augment: boolean;
  seed: number;
  encoding: Encoding;
  /** conversion: calibration images, percentile and scaling factor */
  calibration: number;
  percentile: number;
  scaling: number;
  /** HIRE */
  periods: number;
  noiseEps: number;
  noiseMode: NoiseMode;
  /** project the crafted input to an L-inf ball of this radius around the clean image */
  noiseProject?: number;
  carryMembrane: boolean;
  saveEveryMinutes: number;
}

/** the seed lineage's defaults (DIET-SNN / HIRE-SNN) where the paper states none */
export function defaultsFor(method: TrainMethod): Pick<TrainConfig, 'lr' | 'optimizer' | 'weightDecay' | 'schedule' | 'epochs' | 'batch' | 'timesteps'> {
  if (method === 'ann') return { lr: 0.01, optimizer: 'sgd', weightDecay: 5e-4, schedule: 'step', epochs: 100, batch: 64, timesteps: 8 };
  return { lr: 1e-4, optimizer: 'adam', weightDecay: 0, schedule: 'step', epochs: 30, batch: 64, timesteps: 8 };
}

export const DEFAULT_NOISE_EPS = 8 / 255;

export class TrainConfigError extends Error {
  override name = 'TrainConfigError';
}

/** checks everything that can be checked without touching files; throws one clear line */
export function checkConfig(c: TrainConfig): void {
  const fail = (m: string): never => {
    throw new TrainConfigError(m);
  };
  if (!Number.isInteger(c.timesteps) || c.timesteps < 1) fail(`--timesteps must be a whole number >= 1, got ${c.timesteps}`);
  if (!Number.isInteger(c.periods) || c.periods < 1) fail(`--periods must be a whole number >= 1, got ${c.periods}`);
  if (c.method === 'hire' && c.timesteps % c.periods !== 0) {
    fail(`--timesteps ${c.timesteps} is not divisible by --periods ${c.periods}: each period runs T/N steps`);
  }
  if (!(c.dropout >= 0 && c.dropout < 1)) fail(`--dropout must be in [0, 1), got ${c.dropout}`);
  if (!(c.lr > 0)) fail(`--lr must be > 0, got ${c.lr}`);
  if (!(c.noiseEps >= 0)) fail(`--noise-eps must be >= 0, got ${c.noiseEps}`);
  if (c.noiseProject !== undefined && !(c.noiseProject >= 0)) fail(`--noise-project must be >= 0, got ${c.noiseProject}`);
  if (!(c.scaling > 0)) fail(`--scaling must be > 0, got ${c.scaling}`);
  if (!(c.percentile > 0 && c.percentile <= 100)) fail(`--percentile must be in (0, 100], got ${c.percentile}`);
  if (c.milestones.some((m) => !(m > 0 && m < 1))) fail(`--milestones must be fractions of the epochs in (0, 1), got ${c.milestones.join(',')}`);
  if (c.method === 'ann' && c.encoding !== 'direct') fail('--encoding poisson applies to spiking training (--method snn), not to the ANN');
  if (c.method === 'hire' && c.encoding === 'poisson') {
    fail('--method hire crafts its noise from the input gradient, which Poisson sampling does not pass: use --encoding direct');
  }
  if (c.carryMembrane && c.method !== 'hire') fail('--carry-membrane applies to --method hire (it carries the neuron state across periods)');
  if (c.method === 'ann' && c.init && c.convert === 'always') fail('--convert always makes an SNN: it needs --method snn or hire');
  if (c.method !== 'ann' && !c.init && c.convert === 'always') fail('--convert always needs --init ANN_CHECKPOINT');
}
