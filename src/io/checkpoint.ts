/**
 * Our checkpoint format: one safetensors file with the weights under the seed's key names
 * (so `hire-snn export` and PyTorch users see familiar names) and a JSON description in the
 * safetensors metadata under "hire-snn": architecture, timesteps, normalisation, dataset,
 * training method, metrics, version. Written atomically (temp file + rename).
 */
import type { ModelSpec } from '../snn/spec.js';
import type { Normalization, SpikingModel } from '../snn/model.js';
import type { NamedArray } from './arrays.js';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors.js';
import { CheckpointError } from './errors.js';
import { packageVersion } from '../version.js';

export const CHECKPOINT_FORMAT = 'hire-snn-checkpoint';
export const CHECKPOINT_VERSION = 1;
const META_KEY = 'hire-snn';

export type TrainingMethod = 'ann' | 'snn' | 'hire' | 'converted' | 'imported' | 'untrained';

export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  packageVersion: string;
  spec: ModelSpec;
  timesteps: number;
  normalization: Normalization;
  dataset?: string;
  method: TrainingMethod;
  /** e.g. { testTop1: 83.1 } */
  metrics?: Record<string, number>;
  /** free-form: the training options that made it, the seed, the epoch */
  training?: Record<string, unknown>;
  createdAt: string;
}

export type CheckpointInfo = Omit<CheckpointMeta, 'format' | 'version' | 'packageVersion' | 'createdAt'>;

export function saveCheckpoint(file: string, model: SpikingModel, info: CheckpointInfo): void {
  const meta: CheckpointMeta = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, packageVersion: packageVersion(), createdAt: new Date().toISOString(), ...info };
  const tensors: [string, NamedArray][] = [...model.params].map(([k, p]) => [k, { dtype: 'F32', shape: [...p.shape], data: p.data }]);
  writeSafetensorsFile(file, tensors, { [META_KEY]: JSON.stringify(meta) });
}

export function isOurCheckpoint(metadata: Record<string, string>): boolean {
  return META_KEY in metadata;
}

export function readCheckpoint(file: string): { meta: CheckpointMeta; tensors: Map<string, NamedArray> } {
  const { tensors, metadata } = readSafetensorsFile(file);
  if (!isOurCheckpoint(metadata)) throw new CheckpointError(`${file}: a safetensors file without hire-snn metadata (give --arch to load bare weights)`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(metadata[META_KEY]) as CheckpointMeta;
  } catch {
    throw new CheckpointError(`${file}: the hire-snn metadata is not valid JSON`);
  }
  if (meta.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${file}: unknown checkpoint format "${String(meta.format)}"`);
  if (typeof meta.version !== 'number' || meta.version > CHECKPOINT_VERSION) {
    throw new CheckpointError(`${file}: checkpoint version ${String(meta.version)} is newer than this hire-snn understands (${CHECKPOINT_VERSION}); upgrade hire-snn`);
  }
  if (!meta.spec || !meta.normalization || !(meta.timesteps > 0)) throw new CheckpointError(`${file}: checkpoint metadata lacks spec, normalization or timesteps`);
  return { meta, tensors };
}
