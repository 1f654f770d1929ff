/**
 * The option schemas a sweep validates its `train` and `eval` configs with: the same keys,
 * defaults and checks as `hire-snn train` / `hire-snn eval`, spelled as on the command line
 * (`noise-eps`, `eval-limit`). Interim: these follow today's TrainConfig and
 * EvalCommandOptions (typed against them, so they cannot drift silently) and give way to the
 * zod schemas of src/train/config.ts and src/eval/options.ts once those exist.
 */
import { z } from 'zod';
import { DATASET_NAMES } from '../data/dataset.js';
import { ATTACK_NAMES } from '../eval/evaluate.js';
import { checkConfig, defaultsFor, DEFAULT_NOISE_EPS, TRAIN_METHODS, type TrainConfig } from '../train/config.js';
import type { EvalCommandOptions } from '../eval/run-eval.js';

export type CommandKind = 'train' | 'eval';

/** a YAML list may also be written as a scalar or "a,b,c" (as on the command line) */
function list<T extends z.ZodTypeAny>(item: T) {
  return z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()) : typeof v === 'number' ? [v] : v), z.array(item).min(1));
}
const int = (min: number) => z.number().int().min(min);
const positive = z.number().positive();
const nonNegative = z.number().min(0);

const trainShape = z.object({
  method: z.enum(TRAIN_METHODS as [TrainConfig['method'], ...TrainConfig['method'][]]),
  arch: z.coerce.string().optional(),
  hidden: list(int(1)).optional(),
  widths: list(int(1)).optional(),
  dropout: z.number().min(0).lt(1).default(0.2),
  init: z.string().optional(),
  convert: z.enum(['auto', 'always', 'never']).default('auto'),
  dataset: z.enum(DATASET_NAMES as [TrainConfig['dataset'], ...TrainConfig['dataset'][]]).default('cifar10'),
  data: z.string().optional(),
  limit: int(1).optional(),
  evalLimit: int(1).optional(),
  timesteps: int(1).default(8),
  epochs: int(0).optional(),
  batch: int(1).default(64),
  lr: positive.optional(),
  optimizer: z.enum(['sgd', 'adam']).optional(),
  momentum: nonNegative.default(0.9),
  weightDecay: nonNegative.optional(),
  schedule: z.enum(['step', 'cosine', 'constant']).optional(),
  milestones: list(z.number().gt(0).lt(1)).default([0.6, 0.8]),
  gamma: positive.default(0.1),
  augment: z.boolean().default(true),
  seed: int(0).default(0),
  encoding: z.enum(['direct', 'poisson']).default('direct'),
  calibration: int(1).default(512),
  percentile: z.number().gt(0).max(100).default(99.7),
  scaling: positive.default(0.7),
  periods: int(1).default(2),
  noiseEps: nonNegative.default(DEFAULT_NOISE_EPS),
  noiseMode: z.enum(['cumulative', 'from-clean']).default('cumulative'),
  noiseProject: nonNegative.optional(),
  carryMembrane: z.boolean().default(false),
  saveEveryMinutes: positive.default(10),
}).strict();

const trainSchema: z.ZodType<TrainConfig, z.ZodTypeDef, unknown> = trainShape.transform((c) => {
  const d = defaultsFor(c.method);
  const config: TrainConfig = {
    ...c, epochs: c.epochs ?? d.epochs, lr: c.lr ?? d.lr, optimizer: c.optimizer ?? d.optimizer,
    weightDecay: c.weightDecay ?? d.weightDecay, schedule: c.schedule ?? d.schedule,
  };
  checkConfig(config);
  return config;
});

/** eval options a sweep sets: everything but where the outputs go (the cell's directory decides that) */
export type SweepEvalOptions = Omit<EvalCommandOptions, 'json' | 'saveOutputs'>;

const evalShape = z.object({
  model: z.string(),
  bbModel: z.string().optional(),
  arch: z.coerce.string().default('auto'),
  hidden: list(int(1)).optional(),
  dataset: z.enum(DATASET_NAMES as [TrainConfig['dataset'], ...TrainConfig['dataset'][]]).optional(),
  data: z.string().optional(),
  inputs: z.string().optional(),
  timesteps: int(1).optional(),
  attacks: list(z.enum(ATTACK_NAMES as [EvalCommandOptions['attacks'][number], ...EvalCommandOptions['attacks']])).default([...ATTACK_NAMES]),
  eps: nonNegative.default(0.031),
  pgdSteps: int(1).default(7),
  pgdStepSize: nonNegative.default(0.01),
  pgdRandomStart: z.boolean().default(true),
  batch: int(1).default(32),
  limit: int(1).optional(),
  seed: int(0).default(0),
  macPj: nonNegative.default(4.6),
  acPj: nonNegative.default(0.9),
}).strict();

const evalSchema: z.ZodType<SweepEvalOptions, z.ZodTypeDef, unknown> = evalShape.transform(({ macPj, acPj, ...rest }) => ({
  ...rest, attacks: [...new Set(rest.attacks)], energy: { macPj, acPj },
}));

export interface CommandSchema {
  kind: CommandKind;
  /** option names as on the command line */
  options: readonly string[];
  /** option names whose value is a model file (a sweep lets them name another stage's cells) */
  modelOptions: readonly string[];
  /** options holding a path (relative ones in a grid file are relative to the file) */
  pathOptions: readonly string[];
  /** options that say where things are, not what is computed: left out of a cell's hash */
  locationOptions: readonly string[];
  schema: z.ZodType<TrainConfig | SweepEvalOptions, z.ZodTypeDef, unknown>;
}

const kebab = (camel: string) => camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export const COMMANDS: Readonly<Record<CommandKind, CommandSchema>> = {
  train: {
    kind: 'train',
    options: Object.keys(trainShape.shape).map(kebab),
    modelOptions: ['init'],
    pathOptions: ['init', 'data'],
    locationOptions: ['data', 'save-every-minutes'],
    schema: trainSchema,
  },
  eval: {
    kind: 'eval',
    options: Object.keys(evalShape.shape).map(kebab),
    modelOptions: ['model', 'bb-model'],
    pathOptions: ['model', 'bb-model', 'data', 'inputs'],
    locationOptions: ['data'],
    schema: evalSchema,
  },
};
