/**
 * One entry point for every weights file format: detects safetensors / torch zip / torch
 * legacy from the bytes, reads the file once, and finds the state_dict in it.
 */
import { CheckpointError, wrapErrors } from './errors.js';
import { readSafetensors, isSafetensors } from './safetensors.js';
import { readTorchPt, isLegacyPt, parseLegacyDataStart, type PtFormat } from './torch-pt.js';
import { isZip } from './zip-read.js';
import { findStateDict, stripPrefix, type StateDict } from './state-dict.js';
import { readWholeFile, alignInPlace } from './read-file.js';

export type WeightsFormat = PtFormat | 'safetensors';

export const FORMAT_NAMES: Record<WeightsFormat, string> = {
  'torch-zip': 'torch.save zip format (PyTorch >= 1.6)',
  'torch-legacy': 'torch.save legacy format (PyTorch <= 1.5)',
  safetensors: 'safetensors',
};

export interface LoadedWeights {
  format: WeightsFormat;
  /** the whole unpickled object (torch formats) or the tensors map (safetensors) */
  value: unknown;
  stateDict: StateDict;
  /** safetensors `__metadata__` */
  metadata?: Record<string, string>;
  /** file size */
  bytes: number;
}

export function detectFormat(bytes: Uint8Array): WeightsFormat | null {
  if (isZip(bytes)) return 'torch-zip';
  if (isLegacyPt(bytes)) return 'torch-legacy';
  if (isSafetensors(bytes)) return 'safetensors';
  return null;
}

/** parses a weights file held in memory */
export function parseWeights(bytes: Uint8Array): LoadedWeights {
  const format = detectFormat(bytes);
  if (format === null) throw new CheckpointError('not a checkpoint: expected a torch.save file (zip or legacy format) or safetensors');
  if (format === 'safetensors') {
    const { tensors, metadata } = readSafetensors(bytes);
    if (tensors.size === 0) throw new CheckpointError('the safetensors file holds no tensors');
    const s = stripPrefix(tensors);
    const stateDict: StateDict = { tensors: s.tensors, location: '', strippedPrefix: s.stripped ? 'module.' : null, extras: [] };
    return { format, value: tensors, stateDict, metadata, bytes: bytes.byteLength };
  }
  const pt = readTorchPt(bytes);
  return { format: pt.format, value: pt.value, stateDict: findStateDict(pt.value), bytes: bytes.byteLength };
}

/** reads and parses a weights file (.pt in either torch format, or .safetensors); errors name the file */
export function loadWeightsFile(file: string): LoadedWeights {
  let bytes = readWholeFile(file);
  return wrapErrors(file, () => {
    // legacy storages follow pickles of arbitrary length: shift the buffer (in place) so they land aligned
    if (isLegacyPt(bytes)) bytes = alignInPlace(bytes, parseLegacyDataStart(bytes) + 8);
    return parseWeights(bytes);
  });
}
