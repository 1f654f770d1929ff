/**
 * Our checkpoint format: one safetensors file with the weights under the seed's key names
 * (so `hire-snn export` and PyTorch users see familiar names) and a JSON description in the
 * safetensors metadata (src/io/checkpoint-meta.ts). Written atomically (temp file + rename).
 */
import type { SpikingModel } from '../snn/model.js';
import type { NamedArray } from './arrays.js';
import { writeSafetensorsFile } from './safetensors-file.js';
import { CheckpointError } from './errors.js';
import { packageVersion } from '../package.js';
import { readWeightsFile } from './load.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, checkpointMetadata, type CheckpointInfo, type CheckpointMeta } from './checkpoint-meta.js';

export function saveCheckpoint(file: string, model: SpikingModel, info: CheckpointInfo): void {
  const meta: CheckpointMeta = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, packageVersion: packageVersion(), createdAt: new Date().toISOString(), ...info };
  const tensors: [string, NamedArray][] = [...model.params].map(([k, p]) => [k, { dtype: 'F32', shape: [...p.shape], data: p.data }]);
  writeSafetensorsFile(file, tensors, checkpointMetadata(meta));
}

/** our checkpoint's description and tensors (validated; other files are refused) */
export function readCheckpoint(file: string): { meta: CheckpointMeta; tensors: Map<string, NamedArray> } {
  const w = readWeightsFile(file);
  if (!w.checkpoint) throw new CheckpointError(`${file}: not a hire-snn checkpoint (${w.format === 'safetensors' ? 'a safetensors file without hire-snn metadata' : 'a torch.save file'}; give --arch to load bare weights)`);
  return { meta: w.checkpoint, tensors: w.stateDict.tensors };
}
