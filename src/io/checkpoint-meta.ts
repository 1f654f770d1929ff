/**
 * The description our checkpoint stores in its safetensors metadata under "hire-snn":
 * architecture, timesteps, normalisation, dataset, training method, metrics, version. The
 * schema is the one check of what a file claims (the tensors are then checked against the spec).
 */
import { z } from 'zod';
import { ModelSpecSchema } from '../snn/spec.js';
import { NormalizationSchema } from '../snn/model.js';
import { parseOrThrow } from '../validate.js';
import { CheckpointError } from './errors.js';
import { parseJsonBounded } from './json-bounds.js';
import type { Budget } from './read-budget.js';

export const CHECKPOINT_FORMAT = 'hire-snn-checkpoint';
export const CHECKPOINT_VERSION = 1;
/** the safetensors metadata key */
export const CHECKPOINT_META_KEY = 'hire-snn';
/** time steps a checkpoint may ask for (conversion-era SNNs used up to a few thousand) */
export const MAX_TIMESTEPS = 10_000;

export const TRAINING_METHODS = ['ann', 'snn', 'hire', 'converted', 'imported', 'untrained'] as const;
export type TrainingMethod = (typeof TRAINING_METHODS)[number];

/** JSON writes NaN as null: read it back as NaN */
const metric = z.union([z.number(), z.null().transform(() => NaN)]);

export const CheckpointMetaSchema = z
  .object({
    format: z.literal(CHECKPOINT_FORMAT),
    version: z.number().int().min(1).max(CHECKPOINT_VERSION),
    packageVersion: z.string(),
    spec: ModelSpecSchema,
    timesteps: z.number().int().min(1).max(MAX_TIMESTEPS),
    normalization: NormalizationSchema,
    dataset: z.string().optional(),
    method: z.enum(TRAINING_METHODS),
    /** e.g. { testTop1: 83.1 } */
    metrics: z.record(metric).optional(),
    /** free-form: the training options that made it, the seed, the epoch */
    training: z.record(z.unknown()).optional(),
    createdAt: z.string(),
  })
  .refine((m) => m.normalization.mean.length === m.spec.inChannels, { message: 'normalization has one value per input channel', path: ['normalization'] });

export type CheckpointMeta = z.infer<typeof CheckpointMetaSchema>;

/** what the writer adds to a training run's description */
export type CheckpointInfo = Omit<CheckpointMeta, 'format' | 'version' | 'packageVersion' | 'createdAt'>;

export function isOurCheckpoint(metadata: Record<string, string> | undefined): boolean {
  return metadata !== undefined && CHECKPOINT_META_KEY in metadata;
}

/** our checkpoint's description from safetensors metadata, validated (its parse charged to `budget`); undefined for other files */
export function parseCheckpointMeta(metadata: Record<string, string> | undefined, budget: Budget): CheckpointMeta | undefined {
  if (!metadata || !isOurCheckpoint(metadata)) return undefined;
  // a description is a few hundred values: the limits keep a hostile one from slowing the schema down
  const raw = parseJsonBounded(metadata[CHECKPOINT_META_KEY], budget, 'the hire-snn metadata', { maxDepth: 32, maxValues: 50_000 });
  const head = (raw ?? {}) as { format?: unknown; version?: unknown };
  if (head.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`unknown checkpoint format ${JSON.stringify(head.format)}`);
  if (typeof head.version === 'number' && head.version > CHECKPOINT_VERSION) {
    throw new CheckpointError(`checkpoint version ${head.version} is newer than this hire-snn understands (${CHECKPOINT_VERSION}); upgrade hire-snn`);
  }
  return parseOrThrow(CheckpointMetaSchema, raw, (line) => new CheckpointError(`invalid hire-snn metadata: ${line}`));
}

/** the metadata entry that describes a checkpoint */
export function checkpointMetadata(meta: CheckpointMeta): Record<string, string> {
  return { [CHECKPOINT_META_KEY]: JSON.stringify(meta) };
}
