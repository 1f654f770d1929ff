/**
 * Reads an eval result JSON (`hire-snn eval --json`) for the report and turns it into a list of
 * points, one per evaluated (ε, T): the `sweep` array when present, else the top-level fields.
 * TODO(schema): validate with src/eval/result-schema.ts once the eval helper lands it (then this
 * schema goes away; there must be one).
 */
import fs from 'node:fs';
import { z } from 'zod';
import { ReportInputError } from './errors.js';

/** JSON writes NaN and Infinity as null */
const num = z.number().nullable();

const topK = z.object({ top1: num, top5: num.optional() }).passthrough();
const attackResult = z.object({ whiteBox: topK.optional(), blackBox: topK.optional() }).passthrough();
const results = z.object({
  clean: topK.optional(),
  worstCase: z.object({ top1: num, brokenFirstBy: z.unknown().optional() }).passthrough().optional(),
}).catchall(attackResult);

const layerSpikes = z.object({ name: z.string(), neurons: z.number(), spikesPerNeuron: num, firingRate: num.optional() }).passthrough();

const energy = z.object({
  constants: z.object({ macPj: z.number(), acPj: z.number() }),
  annPj: num,
  snnPj: num,
  ratio: num,
  ops: z.array(z.object({ name: z.string(), macs: z.number(), inputSpikesPerNeuron: num, pj: num })),
}).passthrough();

const diagnostic = z.object({ id: z.string(), triggered: z.boolean(), evidence: z.string(), advice: z.string().optional() }).passthrough();

const identity = z.object({
  path: z.string(),
  sha256: z.string(),
  format: z.string().optional(),
  architecture: z.string().optional(),
  method: z.string().optional(),
}).passthrough();

const pointFields = {
  results,
  spikes: z.record(z.array(layerSpikes)).default({}),
  energy: energy.optional(),
  diagnostics: z.array(diagnostic).default([]),
};

export const evalFileSchema = z.object({
  format: z.string().optional(),
  model: identity,
  bbModel: identity.optional(),
  dataset: z.object({ name: z.string(), split: z.string().default('test'), n: z.number().optional() }).passthrough(),
  protocol: z.object({ timesteps: z.number(), epsilon: z.number() }).passthrough(),
  n: z.number(),
  ...pointFields,
  sweep: z.array(z.object({ epsilon: z.number(), timesteps: z.number(), ...pointFields }).passthrough()).optional(),
}).passthrough();

export type EvalFile = z.infer<typeof evalFileSchema>;
export type EvalResults = z.infer<typeof results>;
export type LayerSpikes = z.infer<typeof layerSpikes>;
export type EnergyResult = z.infer<typeof energy>;
export type Diagnostic = z.infer<typeof diagnostic>;

/** the results of one evaluated (ε, T) */
export interface SweepEntry {
  epsilon: number;
  timesteps: number;
  results: EvalResults;
  spikes: Record<string, LayerSpikes[]>;
  energy?: EnergyResult;
  diagnostics: Diagnostic[];
}

export interface EvalInput {
  kind: 'eval';
  file: string;
  data: EvalFile;
  points: SweepEntry[];
}

export function readEvalFile(file: string): EvalInput {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const why = err instanceof SyntaxError ? 'not valid JSON' : (err as Error).message;
    throw new ReportInputError(`${file}: ${why}`);
  }
  const parsed = evalFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReportInputError(`${file}: not a hire-snn eval result (${issue.path.join('.') || 'top level'}: ${issue.message}); write one with hire-snn eval --json`);
  }
  const data = parsed.data;
  const points: SweepEntry[] = data.sweep?.length
    ? data.sweep
    : [{ epsilon: data.protocol.epsilon, timesteps: data.protocol.timesteps, results: data.results, spikes: data.spikes, energy: data.energy, diagnostics: data.diagnostics }];
  return { kind: 'eval', file, data, points };
}
