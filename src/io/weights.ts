/**
 * One reader for every weights file: bytes in, the state_dict, the format and the metadata
 * out. Detects safetensors / torch zip / torch legacy from the bytes and validates our
 * checkpoint's description when present. No file system here (src/io/load.ts reads files), so
 * the same parsers can run in a browser.
 */
import { CheckpointError } from './errors.js';
import { readSafetensors, isSafetensors } from './safetensors.js';
import { readTorchPt, isLegacyPt, type PtFormat, type ReadPtOptions } from './torch-pt.js';
import { readBudget } from './read-budget.js';
import { isZip } from './zip-read.js';
import { findStateDict, stripPrefix, type StateDict } from './state-dict.js';
import { parseCheckpointMeta, type CheckpointMeta } from './checkpoint-meta.js';

export type WeightsFormat = PtFormat | 'safetensors';

export const FORMAT_NAMES: Record<WeightsFormat, string> = {
  'torch-zip': 'torch.save zip format (PyTorch >= 1.6)',
  'torch-legacy': 'torch.save legacy format (PyTorch <= 1.5)',
  safetensors: 'safetensors',
};

export interface Weights {
  format: WeightsFormat;
  /** the whole unpickled object (torch formats) or the tensors map (safetensors) */
  value: unknown;
  stateDict: StateDict;
  /** safetensors `__metadata__` */
  metadata?: Record<string, string>;
  /** our checkpoint's description (validated), when the file is one */
  checkpoint?: CheckpointMeta;
  /** size of the file */
  bytes: number;
}

export function detectFormat(bytes: Uint8Array): WeightsFormat | null {
  if (isZip(bytes)) return 'torch-zip';
  if (isLegacyPt(bytes)) return 'torch-legacy';
  if (isSafetensors(bytes)) return 'safetensors';
  return null;
}

/** parses a weights file held in memory; tensors are views into `bytes` where aligned */
export function readWeights(bytes: Uint8Array, opts: ReadPtOptions = {}): Weights {
  const format = detectFormat(bytes);
  if (format === null) throw new CheckpointError('not a checkpoint: expected a torch.save file (zip or legacy format) or safetensors');
  if (format === 'safetensors') {
    const { tensors, metadata } = readSafetensors(bytes);
    if (tensors.size === 0) throw new CheckpointError('the safetensors file holds no tensors');
    const checkpoint = parseCheckpointMeta(metadata, readBudget(bytes.byteLength).meta);
    const s = stripPrefix(tensors);
    const stateDict: StateDict = { tensors: s.tensors, location: '', strippedPrefix: s.stripped ? 'module.' : null, extras: [] };
    return { format, value: tensors, stateDict, metadata, ...(checkpoint ? { checkpoint } : {}), bytes: bytes.byteLength };
  }
  const pt = readTorchPt(bytes, opts);
  return { format: pt.format, value: pt.value, stateDict: findStateDict(pt.value), bytes: bytes.byteLength };
}
