/**
 * The eval options: one zod schema with the defaults, shared by the library (`runEvaluation`),
 * the CLI (which parses its flags into it) and sweeps (which validate base configs and axes with
 * it). Input is forgiving where a config file would be (an ε like "8/255", a list as "0,4/255"),
 * output is normalised (ε and T always lists, numbers only).
 */
import { z } from 'zod';
import { DATASET_NAMES } from '../data/dataset.js';
import { ATTACK_NAMES } from '../attacks/registry.js';
import { formatSurrogate } from '../attacks/surrogates.js';
import { SURROGATE_KINDS, type Surrogate } from '../kernels/backend.js';
import { TRAINING_SURROGATE } from '../snn/lif.js';
import { ANN_ACTIVATIONS } from '../snn/model.js';

/** "8/255", "0.031" or a number -> the number (NaN when it is not one) */
export function parseFraction(v: string | number): number {
  if (typeof v === 'number') return v;
  const t = v.trim();
  const m = /^([0-9]*\.?[0-9]+(?:e[-+]?\d+)?)\s*\/\s*([0-9]*\.?[0-9]+(?:e[-+]?\d+)?)$/i.exec(t);
  if (m) return Number(m[1]) / Number(m[2]);
  return t === '' ? NaN : Number(t);
}

/** a comma-separated string or an array -> the array; a single value -> [value] */
const listInput = <T extends z.ZodTypeAny>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s) : Array.isArray(v) ? v : v === undefined ? v : [v]), z.array(item).nonempty());

const epsilon = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = parseFraction(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be in [0,1] (pixel space), like 0.031 or 8/255, got "${v}"` });
    return z.NEVER;
  }
  return n;
});

/** a number, or a string holding one (command lines and config files) */
const numeric = (check: (n: number) => boolean, expected: string) => z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v);
  if (!check(n)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be ${expected}, got "${v}"` });
    return z.NEVER;
  }
  return n;
});
const wholeAtLeast = (min: number) => numeric((n) => Number.isInteger(n) && n >= min, `a whole number >= ${min}`);
const positiveNumber = numeric((n) => Number.isFinite(n) && n > 0, 'a number > 0');

/** an attack-time surrogate: kind[:width][@gamma], e.g. pwl, pwl:0.5, exp:1, rect:0.25, ste, rate */
const NUM = '([0-9]*\\.?[0-9]+(?:e[-+]?\\d+)?)';
const SURROGATE_SPEC = new RegExp(`^(${SURROGATE_KINDS.join('|')})(?::${NUM})?(?:@${NUM})?$`, 'i');
const surrogateSpec = z.string().trim().refine((s) => SURROGATE_SPEC.test(s) && !(Number(SURROGATE_SPEC.exec(s)![2] ?? 1) <= 0), {
  message: `must be a surrogate like pwl, pwl:0.5, exp, sigmoid, rect:0.5, ste or rate (kind[:width], width > 0)`,
}).transform((s) => formatSurrogate(surrogateFromSpec(s)));

/** 'pwl:0.5' -> the surrogate the LIF backward uses (peak height: the training surrogate's, unless @gamma) */
export function surrogateFromSpec(spec: string): Surrogate {
  const m = SURROGATE_SPEC.exec(spec.trim());
  if (!m) throw new EvalOptionsError(`unknown surrogate "${spec}"`);
  return { kind: m[1].toLowerCase() as Surrogate['kind'], width: m[2] === undefined ? 1 : Number(m[2]), gamma: m[3] === undefined ? TRAINING_SURROGATE.gamma : Number(m[3]) };
}

const attackList = z.union([z.literal('strong'), z.array(z.string()), z.string()]).transform((v, ctx) => {
  const parts = (typeof v === 'string' ? v.split(',') : v).map((p) => p.trim().toLowerCase()).filter((p) => p);
  if (parts.length === 1 && parts[0] === 'strong') return parts;
  const known = ['clean', ...ATTACK_NAMES];
  const bad = parts.filter((p) => !known.includes(p));
  if (bad.length || parts.length === 0) {
    const which = bad.includes('strong') ? '"strong" (it is a whole suite: use it alone)' : bad.length ? `"${bad.join(', ')}"` : 'empty list';
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `unknown ${which}; choose strong or from ${known.join(', ')}` });
    return z.NEVER;
  }
  return [...new Set(parts)];
});

export const EvalOptionsSchema = z.object({
  /** the model to evaluate: our checkpoint, a bare safetensors state_dict or a PyTorch .pt */
  model: z.string().min(1, 'is required'),
  /** black-box source: a second model of the same architecture */
  bbModel: z.string().min(1).optional(),
  arch: z.string().default('auto'),
  hidden: listInput(wholeAtLeast(1)).optional(),
  dataset: z.enum(DATASET_NAMES as [string, ...string[]]).optional(),
  data: z.string().optional(),
  /** a safetensors file with x01 [N,C,H,W] in [0,1] and labels [N], instead of a test split */
  inputs: z.string().optional(),
  /** time steps, one run per value (default: the checkpoint's, else 8) */
  timesteps: listInput(wholeAtLeast(1)).optional(),
  /** 'strong' (the AutoAttack-style suite) or a list of registry names and 'clean' */
  attacks: attackList.default(['clean', 'fgsm', 'pgd']),
  /**
   * run the attacks one after another, each only on the samples still correct (AutoAttack-style);
   * default: yes for 'strong', no for a list (each attack then scores every sample)
   */
  chain: z.boolean().optional(),
  /** L-inf budgets in [0,1] pixel space, one run per value (clean is scored once) */
  eps: listInput(epsilon).default([0.031]),
  /** iterations of every iterative attack (default: each attack's own; PGD the seed's 7) */
  steps: wholeAtLeast(1).optional(),
  /** the seed's flag: PGD iterations (overrides --steps for PGD) */
  pgdSteps: wholeAtLeast(1).optional(),
  /** step size of PGD-style attacks in pixel units (default: each attack's; PGD 0.01) */
  stepSize: positiveNumber.optional(),
  /** the seed's flag: PGD step size (overrides --step-size for PGD) */
  pgdStepSize: positiveNumber.optional(),
  pgdRandomStart: z.boolean().default(true),
  /** independent restarts of each attack, strongest kept per sample (default: each attack's) */
  restarts: wholeAtLeast(1).optional(),
  /** model queries of score-based attacks (Square) per sample (default: the attack's, 5000) */
  queries: wholeAtLeast(1).optional(),
  /** the ANN transfer-ann crafts on: relu (the network converted from) or threshold-scaled, clamp(I/θ, 0, 1) */
  annActivation: z.enum(ANN_ACTIVATIONS).optional(),
  /** the surrogate white-box attacks differentiate through (default: the model's training one) */
  surrogate: surrogateSpec.optional(),
  /** members of the surrogate ensemble (default: the ensemble attack's set) */
  surrogates: listInput(surrogateSpec).optional(),
  /** gradient samples averaged per step (EOT) for stochastic (Poisson-encoded) models */
  eot: wholeAtLeast(1).default(1),
  /** input encoding (default: the checkpoint's, else direct) */
  encoding: z.enum(['direct', 'poisson']).optional(),
  /** draws averaged into clean and adversarial accuracy of a stochastic model */
  evalSamples: wholeAtLeast(1).default(1),
  /** gradient-masking diagnostics after the attacks (default: with the strong suite) */
  diagnostics: z.boolean().optional(),
  /** clean-correct samples the diagnostics' probes attack (the first ones in dataset order) */
  diagnosticSamples: wholeAtLeast(1).default(100),
  batch: wholeAtLeast(1).default(32),
  limit: wholeAtLeast(1).optional(),
  seed: wholeAtLeast(0).default(0),
  /** write the results as JSON (checked before any work) */
  json: z.string().min(1).optional(),
  /** write per-example labels and logits (safetensors) */
  saveOutputs: z.string().min(1).optional(),
  energy: z.object({ macPj: z.number().nonnegative().finite(), acPj: z.number().nonnegative().finite() }).default({ macPj: 4.6, acPj: 0.9 }),
}).strict();

/** what callers write (every field with a default optional) */
export type EvalOptionsInput = z.input<typeof EvalOptionsSchema>;
/** what the evaluation runs on (defaults filled in, lists normalised) */
export type EvalOptions = z.output<typeof EvalOptionsSchema>;

export class EvalOptionsError extends Error {}

/**
 * Validates and fills in defaults; the error is one line naming the option
 * (`name` turns an option key into what the caller calls it, e.g. a CLI flag).
 */
export function parseEvalOptions(input: unknown, name: (key: string) => string = (k) => k): EvalOptions {
  const r = EvalOptionsSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    // the offending value is in the message, so the option's name is enough (not eps[2])
    const key = issue.path.length ? name(String(issue.path[0])) : 'eval options';
    const message = issue.code === 'unrecognized_keys' ? `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(name).join(', ')}` : issue.message;
    throw new EvalOptionsError(issue.code === 'unrecognized_keys' ? message : `${key}: ${message}`);
  }
  return r.data;
}

/** camelCase option key -> its CLI flag (pgdSteps -> --pgd-steps) */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
