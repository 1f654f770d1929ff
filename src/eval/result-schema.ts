/**
 * The eval results JSON (`hire-snn eval --json`), format "hire-snn-eval/2", as one zod schema:
 * what `eval` writes and what `report` and `sweep` read. Accuracies are percentages; keys of
 * `results` are 'clean', 'worstCase' and the attack registry's names; a "setting" is 'clean' or
 * `<attack>.whiteBox|blackBox` (white-box: crafted on the evaluated model, or querying it;
 * black-box: crafted on --bb-model). Unknown fields are dropped when read, so a reader built
 * against this version keeps working when later versions add fields.
 *
 * `sweep` holds one entry per (ε, T) of `--eps LIST` x `--timesteps LIST`, always at least one;
 * the top-level `results`, `spikes`, `energy` and `diagnostics` mirror the first entry.
 */
import { z } from 'zod';

export const EVAL_FORMAT = 'hire-snn-eval/2';

const count = z.number().int().nonnegative();

export const ScoreSchema = z.object({
  top1: z.number(),
  top5: z.number(),
  /** chained suite: samples this attack was run on (those still correct before it) */
  attacked: count.optional(),
  /** chained suite: of those, how many it broke */
  broken: count.optional(),
  /** images whose output held NaN/Inf (scored wrong) */
  nonFinite: count.optional(),
  /** images whose outputs were all equal, e.g. no spike reached the last layer (ties go to class 0) */
  allEqual: count.optional(),
});

export const AttackResultSchema = z.object({
  whiteBox: ScoreSchema.optional(),
  blackBox: ScoreSchema.optional(),
});

export const WorstCaseSchema = z.object({
  /** % of samples correct clean and under every setting that ran */
  top1: z.number(),
  /** setting -> samples it was the first to break (in the order the settings ran); 'clean' = wrong clean */
  brokenFirstBy: z.record(count),
});

type ScoreT = z.infer<typeof ScoreSchema>;
type AttackResultT = z.infer<typeof AttackResultSchema>;
type WorstCaseT = z.infer<typeof WorstCaseSchema>;

/** 'clean', 'worstCase' and one entry per attack (read an attack's with `attackResult`) */
export type Results = { clean?: ScoreT; worstCase?: WorstCaseT } & { [attack: string]: AttackResultT | undefined };

export const ResultsSchema: z.ZodType<Results, z.ZodTypeDef, unknown> = z.object({
  clean: ScoreSchema.optional(),
  worstCase: WorstCaseSchema.optional(),
}).catchall(AttackResultSchema) as z.ZodType<Results, z.ZodTypeDef, unknown>;

/** the white-box / black-box scores of one attack */
export function attackResult(results: Results, attack: string): AttackResultT | undefined {
  return attack === 'clean' || attack === 'worstCase' ? undefined : (results[attack] as AttackResultT | undefined);
}

export const LayerSpikeStatsSchema = z.object({
  name: z.string(),
  index: z.number().int(),
  neurons: count,
  totalSpikes: z.number(),
  spikesPerNeuron: z.number(),
  firingRate: z.number(),
});

export const EnergySchema = z.object({
  convention: z.string(),
  constants: z.object({ macPj: z.number(), acPj: z.number() }),
  annPj: z.number(),
  snnPj: z.number(),
  ratio: z.number().nullable(),
  ops: z.array(z.object({ name: z.string(), macs: z.number(), inputSpikesPerNeuron: z.number().nullable(), pj: z.number() })),
});

export const DiagnosticSchema = z.object({
  id: z.string(),
  triggered: z.boolean(),
  /** one line with the numbers behind the verdict (or why it could not be checked) */
  evidence: z.string(),
  /** the same numbers, for machines */
  values: z.record(z.number().nullable()).default({}),
  /** when triggered: what it means and what to try, one line */
  advice: z.string().optional(),
});

export const SweepEntrySchema = z.object({
  epsilon: z.number(),
  timesteps: z.number().int().positive(),
  results: ResultsSchema,
  spikes: z.record(z.array(LayerSpikeStatsSchema)),
  energy: EnergySchema.optional(),
  diagnostics: z.array(DiagnosticSchema),
});

export const ModelIdentitySchema = z.object({
  path: z.string(),
  sha256: z.string(),
  format: z.string(),
  architecture: z.string(),
  method: z.string(),
});

export const ProtocolSchema = z.object({
  /** the first entry's T and ε (the sweep lists all) */
  timesteps: z.number().int().positive(),
  epsilon: z.number(),
  /** what ran, in order: 'clean' and registry names */
  attacks: z.array(z.string()),
  /** 'strong' or 'list' (the attacks as given) */
  suite: z.enum(['strong', 'list']).default('list'),
  /** each attack only on the samples still correct before it */
  chain: z.boolean().default(false),
  /** attacks of the suite that could not run, each with why (never skipped silently) */
  notRun: z.array(z.object({ attack: z.string(), reason: z.string() })).default([]),
  /** per attack: epsilon and every option it read, defaults filled in */
  perAttack: z.record(z.record(z.union([z.number(), z.boolean(), z.string(), z.array(z.string())]))).default({}),
  pgdSteps: z.number(),
  pgdStepSize: z.number(),
  pgdRandomStart: z.boolean(),
  seed: z.number(),
  encoding: z.enum(['direct', 'poisson']).default('direct'),
  /** gradient samples averaged per attack step */
  eot: z.number().int().positive().default(1),
  /** draws averaged into each accuracy (stochastic models) */
  evalSamples: z.number().int().positive().default(1),
  /** the white-box gradient's surrogate */
  surrogate: z.string().default('pwl:1'),
  /** surrogate ensemble members (the ensemble attack and the surrogate-sensitive probe) */
  surrogates: z.array(z.string()).optional(),
  /** clean-correct samples the masking diagnostics attack, when they ran */
  diagnosticSamples: z.number().int().positive().optional(),
  sweep: z.object({ epsilons: z.array(z.number()), timesteps: z.array(z.number().int().positive()) }).optional(),
  lossFunction: z.string(),
  normalization: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
  mode: z.string(),
  gradient: z.string(),
});

export const EvalResultSchema = z.object({
  format: z.literal(EVAL_FORMAT),
  model: ModelIdentitySchema,
  bbModel: ModelIdentitySchema.optional(),
  dataset: z.object({ name: z.string(), split: z.enum(['test', 'inputs']), n: count, inputs: z.string().optional() }),
  protocol: ProtocolSchema,
  n: count,
  results: ResultsSchema,
  spikes: z.record(z.array(LayerSpikeStatsSchema)),
  energy: EnergySchema.optional(),
  diagnostics: z.array(DiagnosticSchema),
  sweep: z.array(SweepEntrySchema).nonempty(),
  elapsedSeconds: z.number(),
});

export type Score = ScoreT;
export type AttackResult = AttackResultT;
export type WorstCase = WorstCaseT;
export type Diagnostic = z.infer<typeof DiagnosticSchema>;
export type SweepEntry = z.infer<typeof SweepEntrySchema>;
export type EvalProtocol = z.infer<typeof ProtocolSchema>;
export type EvalResultJson = z.infer<typeof EvalResultSchema>;

export class EvalResultError extends Error {}

/**
 * Reads an eval JSON (already parsed): format 2 as it is, a format-1 file (no `format`, written
 * before the sweep existed) upgraded to one sweep entry. `what` names the source in the error.
 */
export function parseEvalResult(json: unknown, what = 'eval result'): EvalResultJson {
  let input = json;
  if (input && typeof input === 'object' && !('format' in input) && 'results' in input && 'protocol' in input) {
    const v1 = input as { protocol: { epsilon?: number; timesteps?: number }; results: unknown; spikes?: unknown; energy?: unknown };
    input = {
      ...v1, format: EVAL_FORMAT, diagnostics: [], spikes: v1.spikes ?? {},
      sweep: [{ epsilon: v1.protocol.epsilon, timesteps: v1.protocol.timesteps, results: v1.results, spikes: v1.spikes ?? {}, energy: v1.energy, diagnostics: [] }],
    };
  }
  const r = EvalResultSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new EvalResultError(`${what}: not a hire-snn eval result (${issue.path.join('.') || 'top level'}: ${issue.message})`);
  }
  return r.data;
}
