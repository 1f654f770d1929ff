/**
 * A sweep's grid file (YAML): named stages, each a base `train` or `eval` config (options as
 * on the command line) and the axes it varies. A model option (`init`, `model`, `bb-model`)
 * may name another stage instead of a file, `{ stage: NAME }`, optionally fixing some of that
 * stage's coordinates (`{ stage: snn, seed: 1 }`): the stage then depends on that one.
 *
 *   stages:
 *     ann:  { train: { method: ann, arch: "16,A,32,32,A", epochs: 3 }, axes: { seed: [0, 1] } }
 *     snn:  { train: { init: { stage: ann }, epochs: 1 }, axes: { method: [snn, hire] } }
 *     attack: { eval: { model: { stage: snn }, attacks: [clean, fgsm, pgd] } }
 *
 * Parsing checks everything that needs no other stage: names, options, axes, references.
 */
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { COMMANDS, type CommandKind } from './command-schemas.js';
import { readTextFile } from '../io/read-file.js';

export class GridError extends Error {
  override name = 'GridError';
}

export type Scalar = string | number | boolean;

/** a model option naming a stage: the cells of `stage` whose coordinates agree (and match `where`) */
export interface StageRef {
  option: string;
  stage: string;
  where: Record<string, Scalar>;
}

export interface Stage {
  name: string;
  kind: CommandKind;
  /** options as on the command line, without the references */
  base: Record<string, unknown>;
  refs: StageRef[];
  /** axis name (an option) -> its values, in the file's order */
  axes: [string, unknown[]][];
}

export interface Grid {
  file: string;
  description?: string;
  stages: Stage[];
}

const NAME = /^[A-Za-z][\w-]*$/;
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const refSchema = z.object({ stage: z.string() }).catchall(scalar);
const options = z.record(z.unknown());
const stageSchema = z.object({
  description: z.string().optional(),
  train: options.optional(),
  eval: options.optional(),
  axes: z.record(z.array(z.unknown()).min(1, 'an axis needs at least one value')).default({}),
}).strict();
const gridSchema = z.object({
  description: z.string().optional(),
  stages: z.record(stageSchema).refine((s) => Object.keys(s).length > 0, 'no stages'),
}).strict();

/** the issue to report: a misspelt key first (it usually explains the others) */
function issueLine(file: string, issues: z.ZodIssue[]): string {
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  const where = issue.path.join('.');
  const what = issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
  return `${file}: ${where ? `${where}: ` : ''}${what}`;
}

/** relative paths in the file are relative to the file's directory */
function resolvePaths(kind: CommandKind, opts: Record<string, unknown>, dir: string): void {
  for (const key of COMMANDS[kind].pathOptions) {
    const v = opts[key];
    if (typeof v === 'string') opts[key] = path.resolve(dir, v);
  }
}

export function parseGridText(text: string, file: string): Grid {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: false, uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    throw new GridError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = gridSchema.safeParse(doc);
  if (!parsed.success) throw new GridError(issueLine(file, parsed.error.issues));
  const dir = path.dirname(path.resolve(file));
  const names = Object.keys(parsed.data.stages);
  const stages = Object.entries(parsed.data.stages).map(([name, s]): Stage => {
    const at = `${file}: stages.${name}`;
    if (!NAME.test(name)) throw new GridError(`${at}: a stage name is letters, digits, - and _, starting with a letter`);
    if (!s.train === !s.eval) throw new GridError(`${at}: a stage has exactly one of "train" or "eval"`);
    const kind: CommandKind = s.train ? 'train' : 'eval';
    const cmd = COMMANDS[kind];
    const base: Record<string, unknown> = { ...(s.train ?? s.eval) };
    const refs: StageRef[] = [];
    for (const [key, value] of Object.entries(base)) {
      if (!cmd.options.includes(key)) throw new GridError(`${at}.${kind}: unknown option "${key}" (hire-snn ${kind} has ${cmd.options.join(', ')})`);
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !('stage' in value)) continue;
      if (!cmd.modelOptions.includes(key)) throw new GridError(`${at}.${kind}.${key}: only ${cmd.modelOptions.join(', ')} can name a stage`);
      const ref = refSchema.safeParse(value);
      if (!ref.success) throw new GridError(issueLine(`${at}.${kind}.${key}`, ref.error.issues));
      const { stage, ...where } = ref.data;
      if (!names.includes(stage)) throw new GridError(`${at}.${kind}.${key}: no stage "${stage}" (stages: ${names.join(', ')})`);
      if (stage === name) throw new GridError(`${at}.${kind}.${key}: cyclic dependency: ${name} -> ${name}`);
      refs.push({ option: key, stage, where });
      delete base[key];
    }
    for (const axis of Object.keys(s.axes)) {
      if (!cmd.options.includes(axis)) throw new GridError(`${at}.axes: unknown axis "${axis}": an axis is an option of hire-snn ${kind} (${cmd.options.join(', ')})`);
      if (axis in base || refs.some((r) => r.option === axis)) throw new GridError(`${at}: "${axis}" is both an option of the base config and an axis`);
    }
    resolvePaths(kind, base, dir);
    const axes = Object.entries(s.axes).map(([axis, values]): [string, unknown[]] => {
      const seen = new Set<string>();
      for (const v of values) {
        const k = JSON.stringify(v);
        if (seen.has(k)) throw new GridError(`${at}.axes.${axis}: ${k} is listed twice`);
        seen.add(k);
      }
      if (!COMMANDS[kind].pathOptions.includes(axis)) return [axis, values];
      return [axis, values.map((v) => (typeof v === 'string' ? path.resolve(dir, v) : v))];
    });
    return { name, kind, base, refs, axes };
  });
  for (const s of stages) {
    for (const r of s.refs) {
      const target = stages.find((t) => t.name === r.stage)!;
      if (target.kind !== 'train') throw new GridError(`${file}: stages.${s.name}.${s.kind}.${r.option}: stage "${r.stage}" is an eval stage; a model comes from a train stage`);
    }
  }
  return { file, description: parsed.data.description, stages };
}

export function readGrid(file: string): Grid {
  return parseGridText(readTextFile(file, { what: 'grid file', error: GridError }), file);
}
