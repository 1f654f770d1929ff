/**
 * The option schemas a sweep validates its `train` and `eval` configs with: the very schemas of
 * `hire-snn train` (src/train/config.ts) and `hire-snn eval` (src/eval/options.ts), so a grid
 * has the same keys, defaults and checks, spelled as on the command line (`noise-eps`,
 * `eval-limit`).
 */
import { z } from 'zod';
import { TrainConfigSchema, type TrainConfig } from '../train/config.js';
import { EvalOptionsSchema, type EvalOptions } from '../eval/options.js';

export type CommandKind = 'train' | 'eval';

/** the sweep decides where a cell's outputs go, so these eval options are not for grids */
const EVAL_OUTPUTS = ['json', 'saveOutputs'];

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
  schema: z.ZodType<TrainConfig | EvalOptions, z.ZodTypeDef, unknown>;
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
    options: keysOf(EvalOptionsSchema).filter((k) => !EVAL_OUTPUTS.includes(k)).map(kebab),
    modelOptions: ['model', 'bb-model'],
    pathOptions: ['model', 'bb-model', 'data', 'inputs'],
    locationOptions: ['data'],
    schema: EvalOptionsSchema,
  },
};
