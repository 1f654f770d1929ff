/**
 * The option schemas a sweep validates its `train` and `eval` configs with: the same keys,
 * defaults and checks as `hire-snn train` / `hire-snn eval`, spelled as on the command line
 * (`noise-eps`, `eval-limit`). Training: src/train/config.ts's TrainConfigSchema itself.
 * Evaluation, interim: typed against today's EvalCommandOptions (so it cannot drift silently)
 * until src/eval/options.ts exports the eval options schema, which then replaces it.
 */
import { z } from 'zod';
import { DATASET_NAMES } from '../data/dataset.js';
import { ATTACK_NAMES } from '../eval/evaluate.js';
import { TrainConfigSchema, type TrainConfig } from '../train/config.js';
import type { EvalCommandOptions } from '../eval/run-eval.js';

export type CommandKind = 'train' | 'eval';

/** a YAML list may also be written as a scalar or "a,b,c" (as on the command line) */
function list<T extends z.ZodTypeAny>(item: T) {
  return z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()) : typeof v === 'number' ? [v] : v), z.array(item).min(1));
}
const int = (min: number) => z.number().int().min(min);
const nonNegative = z.number().min(0);

/** eval options a sweep sets: everything but where the outputs go (the cell's directory decides that) */
export type SweepEvalOptions = Omit<EvalCommandOptions, 'json' | 'saveOutputs'>;

const evalShape = z.object({
  model: z.string(),
  bbModel: z.string().optional(),
  arch: z.coerce.string().default('auto'),
  hidden: list(int(1)).optional(),
  dataset: z.enum(DATASET_NAMES as unknown as [TrainConfig['dataset'], ...TrainConfig['dataset'][]]).optional(),
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

/** the keys of an object schema under its transforms and refinements */
function keysOf(schema: z.ZodTypeAny): string[] {
  let s = schema;
  while (s instanceof z.ZodEffects) s = s.innerType();
  if (!(s instanceof z.ZodObject)) throw new Error('an option schema is an object');
  return Object.keys(s.shape);
}

const kebab = (camel: string) => camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export const COMMANDS: Readonly<Record<CommandKind, CommandSchema>> = {
  train: {
    kind: 'train',
    options: keysOf(TrainConfigSchema).map(kebab),
    modelOptions: ['init'],
    pathOptions: ['init', 'data'],
    locationOptions: ['data', 'save-every-minutes'],
    schema: TrainConfigSchema,
  },
  eval: {
    kind: 'eval',
    options: keysOf(evalShape).map(kebab),
    modelOptions: ['model', 'bb-model'],
    pathOptions: ['model', 'bb-model', 'data', 'inputs'],
    locationOptions: ['data'],
    schema: evalSchema,
  },
};
