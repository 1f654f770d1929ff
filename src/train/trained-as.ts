/**
 * How a checkpoint was trained, as `eval` shows it: the HIRE options recorded in the checkpoint
 * (`training.hire`), one line describing them, and a warning when an evaluation's T is not the
 * time horizon the model was trained at (another T, or HIRE periods that each ran from rest).
 */
import type { CheckpointMeta } from '../io/checkpoint-meta.js';
import { z } from 'zod';
import { DEFAULT_NOISE_EPS, HIRE_LOSSES, HIRE_UPDATES, NOISE_MODES, NOISE_TIMINGS, type TrainConfig } from './config.js';

/** what the checkpoint records about a HIRE run (`training.hire`); checked when read, as everything in a file */
export const HireRecordSchema = z.object({
  periods: z.number().int().min(1),
  stepsPerPeriod: z.number().int().min(1),
  noiseEps: z.number().min(0),
  noiseMode: z.enum(NOISE_MODES),
  noiseProject: z.number().min(0).nullable(),
  noiseWarmup: z.number().min(0),
  noiseTiming: z.enum(NOISE_TIMINGS),
  carryMembrane: z.boolean(),
  hireLoss: z.enum(HIRE_LOSSES),
  hireUpdate: z.enum(HIRE_UPDATES),
});
export type HireRecord = z.infer<typeof HireRecordSchema>;

/** the HIRE options of a run, for its checkpoint (undefined for other methods) */
export function hireRecordOf(c: TrainConfig): HireRecord | undefined {
  if (c.method !== 'hire') return undefined;
  return {
    periods: c.periods, stepsPerPeriod: c.timesteps / c.periods, noiseEps: c.noiseEps, noiseMode: c.noiseMode, noiseProject: c.noiseProject ?? null,
    noiseWarmup: c.noiseWarmup, noiseTiming: c.noiseTiming, carryMembrane: c.carryMembrane, hireLoss: c.hireLoss, hireUpdate: c.hireUpdate,
  };
}

/** the first reconstruction's HIRE, which checkpoints from before the variants existed were trained with */
const LEGACY_HIRE = {
  periods: 2, noiseEps: DEFAULT_NOISE_EPS, noiseMode: 'cumulative', carryMembrane: false, hireLoss: 'period', noiseTiming: 'before-update', hireUpdate: 'per-period', noiseWarmup: 0,
} as const;

/**
 * the recorded HIRE options; a checkpoint written before they were recorded has them in its
 * training config, where an option missing is the first reconstruction's (from rest, period
 * loss, ...). Null when the record is there but unreadable.
 */
export function hireRecordIn(meta: CheckpointMeta | undefined): HireRecord | null | undefined {
  if (meta?.method !== 'hire') return undefined;
  const t = meta.training ?? {};
  const c = (typeof t.config === 'object' && t.config !== null ? t.config : {}) as Partial<TrainConfig>;
  const periods = c.periods ?? LEGACY_HIRE.periods;
  const recorded = 'hire' in t ? t.hire : {
    ...LEGACY_HIRE, ...c, periods, stepsPerPeriod: meta.timesteps / periods, noiseProject: c.noiseProject ?? null,
  };
  const parsed = HireRecordSchema.safeParse(recorded);
  return parsed.success ? parsed.data : null;
}

/** one line: "hire, T=8 = 2 periods of 4 steps, membrane carried, cumulative loss, noise 0.0314 cumulative before the update, ..." */
export function describeTraining(meta: CheckpointMeta | undefined): string | undefined {
  if (!meta) return undefined;
  const h = hireRecordIn(meta);
  if (h === null) return `hire, T=${meta.timesteps} (the recorded HIRE options are not readable)`;
  if (!h) return `${meta.method}, T=${meta.timesteps}`;
  return [
    `hire, T=${meta.timesteps} = ${h.periods} periods of ${h.stepsPerPeriod} steps`,
    h.carryMembrane ? 'membrane carried across periods' : 'each period from rest',
    `${h.hireLoss} loss`,
    `noise ${h.noiseEps.toFixed(4)} ${h.noiseMode}${h.noiseProject !== null ? ` projected to ${h.noiseProject}` : ''} ${h.noiseTiming}${h.noiseWarmup > 0 ? `, warm-up ${h.noiseWarmup} epochs` : ''}`,
    `an optimizer step ${h.hireUpdate === 'per-batch' ? 'per batch' : 'per period'}`,
  ].join(', ');
}

/** a warning when evaluating at `timesteps` does not match how the model was trained; undefined when it does */
export function timestepWarning(meta: CheckpointMeta | undefined, timesteps: number): string | undefined {
  if (!meta || meta.method === 'ann' || meta.method === 'imported' || meta.method === 'untrained') return undefined;
  const h = hireRecordIn(meta);
  const fromRest = h != null && h.periods > 1 && !h.carryMembrane;
  if (timesteps !== meta.timesteps) {
    return `the model was trained at T=${meta.timesteps}${fromRest ? ` (as ${h.periods} runs of ${h.stepsPerPeriod} steps from rest)` : ''}; evaluating at T=${timesteps}`;
  }
  if (fromRest) {
    return `the model was trained as ${h.periods} runs of ${h.stepsPerPeriod} steps each from rest (HIRE without --carry-membrane): steps ${h.stepsPerPeriod + 1}..${timesteps} of this T=${timesteps} evaluation continue a state training never reached`;
  }
  return undefined;
}
