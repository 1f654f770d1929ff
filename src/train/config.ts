/**
 * The options of a training run: one zod schema with every default and check, used by the
 * library (runTraining), the CLI and sweeps alike. A run's config is stored in its resume
 * state, so `--resume` continues with exactly the options that started it.
 */
import { z } from 'zod';
import { DATASET_NAMES, type DatasetName } from '../data/dataset.js';
import { MAX_TIMESTEPS } from '../io/checkpoint-meta.js';
import { parseOrThrow } from '../validate.js';
import { ENCODINGS } from '../snn/model.js';
import { CONVERT_MODES } from '../snn/thresholds.js';

export const TRAIN_METHODS = ['ann', 'snn', 'hire'] as const;
export type TrainMethod = (typeof TRAIN_METHODS)[number];
export const OPTIMIZERS = ['sgd', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const SCHEDULES = ['step', 'cosine', 'constant'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];
/** HIRE: noise added to the previous period's input (cumulative) or to the clean image */
export const NOISE_MODES = ['cumulative', 'from-clean'] as const;
export type NoiseMode = (typeof NOISE_MODES)[number];
/** HIRE: a period's loss is on its own summed output, or on the output summed over the periods so far */
export const HIRE_LOSSES = ['period', 'cumulative'] as const;
export type HireLoss = (typeof HIRE_LOSSES)[number];
/** HIRE: the next period's noise from the gradient of the pass that updated the weights, or from a pass on the updated weights */
export const NOISE_TIMINGS = ['before-update', 'after-update'] as const;
export type NoiseTiming = (typeof NOISE_TIMINGS)[number];
/** HIRE: an optimizer step after every period, or one per batch on the mean of the periods' gradients */
export const HIRE_UPDATES = ['per-period', 'per-batch'] as const;
export type HireUpdate = (typeof HIRE_UPDATES)[number];
/** conversion from an --init checkpoint: auto = only when it is an ANN */

export const DEFAULT_NOISE_EPS = 8 / 255;

/** the HIRE options' defaults (docs/training.md says why these) */
export const HIRE_DEFAULTS = {
  periods: 2, noiseEps: DEFAULT_NOISE_EPS, noiseMode: 'cumulative' as NoiseMode, carryMembrane: false,
  hireLoss: 'period' as HireLoss, noiseTiming: 'before-update' as NoiseTiming, hireUpdate: 'per-period' as HireUpdate, noiseWarmup: 0,
};

export class TrainConfigError extends Error {
  override name = 'TrainConfigError';
}

const whole = (min: number) => z.number().int().min(min);
const positive = z.number().positive().finite();
const nonNegative = z.number().min(0).finite();
const widths = z.array(whole(1)).min(1);

/** the seed lineage's defaults (DIET-SNN / HIRE-SNN) where the paper states none: these depend on the method */
function methodDefaults(method: TrainMethod): { lr: number; optimizer: OptimizerName; weightDecay: number; epochs: number } {
  if (method === 'ann') return { lr: 0.01, optimizer: 'sgd', weightDecay: 5e-4, epochs: 100 };
  return { lr: 1e-4, optimizer: 'adam', weightDecay: 0, epochs: 30 };
}

const TrainConfigFields = z
  .object({
    method: z.enum(TRAIN_METHODS),
    /** --arch as given (a preset name or a VGG layer list); undefined when it comes from --init */
    arch: z.string().optional(),
    /** VGG classifier hidden widths */
    hidden: widths.optional(),
    /** ResNet stage widths */
    widths: widths.optional(),
    dropout: z.number().min(0).lt(1).default(0.2),
    init: z.string().optional(),
    convert: z.enum(CONVERT_MODES).default('auto'),
    dataset: z.enum(DATASET_NAMES as unknown as [DatasetName, ...DatasetName[]]).default('cifar10'),
    /** dataset directory or archive (absolute); a resumed run reads it again unless --data says otherwise */
    data: z.string().optional(),
    /** training images used (the first N of the train split) */
    limit: whole(1).optional(),
    /** test images for the per-epoch and final evaluation (the first N of the test split) */
    evalLimit: whole(1).optional(),
    timesteps: whole(1).max(MAX_TIMESTEPS).default(8),
    /** default: ann 100, snn/hire 30 */
    epochs: whole(0).optional(),
    batch: whole(1).default(64),
    /** default: ann 0.01, snn/hire 1e-4 */
    lr: positive.optional(),
    /** default: ann sgd, snn/hire adam (AMSGrad) */
    optimizer: z.enum(OPTIMIZERS).optional(),
    momentum: nonNegative.default(0.9),
    /** L2; default: ann 5e-4, snn/hire 0 */
    weightDecay: nonNegative.optional(),
    schedule: z.enum(SCHEDULES).default('step'),
    /** step schedule: decay points as fractions of the epochs, and the factor */
    milestones: z.array(z.number().gt(0).lt(1)).default([0.6, 0.8]),
    gamma: positive.default(0.1),
    augment: z.boolean().default(true),
    seed: whole(0).default(0),
    encoding: z.enum(ENCODINGS).default('direct'),
    /** conversion: calibration images, percentile and scaling factor */
    calibration: whole(1).default(512),
    percentile: z.number().gt(0).max(100).default(99.7),
    scaling: positive.default(0.7),
    /** HIRE: periods per image, the crafted noise's step and how it accumulates */
    periods: whole(1).default(HIRE_DEFAULTS.periods),
    noiseEps: nonNegative.default(HIRE_DEFAULTS.noiseEps),
    noiseMode: z.enum(NOISE_MODES).default(HIRE_DEFAULTS.noiseMode),
    /** project the crafted input to an L-inf ball of this radius around the clean image */
    noiseProject: nonNegative.optional(),
    /** the noise step grows linearly from 0 to noiseEps over this many epochs (0: from the start) */
    noiseWarmup: nonNegative.default(HIRE_DEFAULTS.noiseWarmup),
    noiseTiming: z.enum(NOISE_TIMINGS).default(HIRE_DEFAULTS.noiseTiming),
    /** HIRE: the neuron state across periods, the loss of a period, when the optimizer steps (see hire-step.ts) */
    carryMembrane: z.boolean().default(HIRE_DEFAULTS.carryMembrane),
    hireLoss: z.enum(HIRE_LOSSES).default(HIRE_DEFAULTS.hireLoss),
    hireUpdate: z.enum(HIRE_UPDATES).default(HIRE_DEFAULTS.hireUpdate),
    saveEveryMinutes: positive.default(10),
  })
  .strict();

type Fields = z.output<typeof TrainConfigFields>;

/** the rules between options (each one line, named after the command-line flags) */
function crossChecks(c: Fields, ctx: z.RefinementCtx): void {
  const fail = (message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  if (c.method === 'hire' && c.timesteps % c.periods !== 0) fail(`--timesteps ${c.timesteps} is not divisible by --periods ${c.periods}: each period runs T/N steps`);
  if (c.method === 'ann' && c.encoding !== 'direct') fail('--encoding poisson applies to spiking training (--method snn), not to the ANN');
  if (c.method === 'hire' && c.encoding === 'poisson') fail('--method hire crafts its noise from the input gradient, which Poisson sampling does not pass: use --encoding direct');
  if (c.noiseTiming === 'after-update' && c.hireUpdate === 'per-batch') {
    fail('--noise-timing after-update needs --hire-update per-period: with one update per batch there is no update between periods');
  }
  if (c.carryMembrane && c.method !== 'hire') fail('--carry-membrane applies to --method hire (it carries the neuron state across periods)');
  if (c.method === 'ann' && c.init && c.convert === 'always') fail('--convert always makes an SNN: it needs --method snn or hire');
  if (c.method !== 'ann' && !c.init && c.convert === 'always') fail('--convert always needs --init ANN_CHECKPOINT');
}

/** the train configuration: what may be given (z.input) and the complete config with every default (z.output) */
export const TrainConfigSchema = TrainConfigFields.transform((c) => {
  const d = methodDefaults(c.method);
  return { ...c, lr: c.lr ?? d.lr, optimizer: c.optimizer ?? d.optimizer, weightDecay: c.weightDecay ?? d.weightDecay, epochs: c.epochs ?? d.epochs };
}).superRefine(crossChecks);

export type TrainConfigInput = z.input<typeof TrainConfigSchema>;
export type TrainConfig = z.output<typeof TrainConfigSchema>;

/** a complete config from the options given (the rest defaulted); throws TrainConfigError with one line */
export function parseTrainConfig(input: TrainConfigInput): TrainConfig {
  return parseOrThrow(TrainConfigSchema, input, (line) => new TrainConfigError(`train configuration: ${line}`));
}
