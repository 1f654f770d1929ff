/**
 * The file layer over src/io/weights.ts and src/io/load-model.ts (Node only): a weights file is
 * read once, into one buffer; its sha256 comes from the same bytes; errors name the file.
 */
import { createHash } from 'node:crypto';
import { readWholeFile } from './read-file.js';
import { readTorchPt, type PtContents } from './torch-pt.js';
import { wrapErrors } from './errors.js';
import { readWeights } from './weights.js';
import { modelFromWeights, type LoadedModel, type LoadModelOptions, type SourcedWeights } from './load-model.js';

/** reads and parses a weights file (.pt in either torch format, or .safetensors) */
export function readWeightsFile(file: string): SourcedWeights {
  const bytes = readWholeFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // legacy storages follow pickles of arbitrary length: the buffer is shifted in place so they land aligned
  return wrapErrors(file, () => ({ ...readWeights(bytes, { shiftInPlace: true }), file, sha256 }));
}

/** reads a torch.save file as it is (the whole unpickled object, not just a state_dict) */
export function readTorchPtFile(file: string): PtContents {
  const bytes = readWholeFile(file);
  return wrapErrors(file, () => readTorchPt(bytes, { shiftInPlace: true }));
}

/** reads a model file and builds the model it holds (see modelFromWeights) */
export function loadModelFile(file: string, opts: LoadModelOptions): LoadedModel {
  return modelFromWeights(readWeightsFile(file), opts);
}
