/**
 * Export to PyTorch: a state_dict with the seed's key names (0-dim thresholds and leaks), in
 * the zip format (default; what torch >= 1.6 writes) or the legacy format (what the seed's
 * PyTorch 1.5 wrote), loadable by the seed's model code with load_state_dict(strict=True).
 */
import type { SpikingModel } from '../snn/model.js';
import type { NamedArray } from './arrays.js';
import { writeTorchLegacyFile, writeTorchZipFile } from './torch-pt-write.js';

export function stateDictOf(model: SpikingModel): Map<string, NamedArray> {
  return new Map([...model.params].map(([k, p]) => [k, { dtype: 'F32', shape: [...p.shape], data: Float32Array.from(p.data) }]));
}

export function exportTorch(model: SpikingModel, file: string, format: 'zip' | 'legacy' = 'zip'): void {
  const sd = stateDictOf(model);
  if (format === 'legacy') writeTorchLegacyFile(file, sd);
  else writeTorchZipFile(file, sd);
}
