/**
 * The file layer over src/io/weights.ts and src/io/load-model.ts (Node only): a weights file is
 * read once, into one buffer; its sha256 comes from the same bytes; errors name the file.
 */
import { createHash } from 'node:crypto';
import { readWholeFile, alignInPlace } from './read-file.js';
import { isLegacyPt, parseLegacyDataStart } from './torch-pt.js';
import { wrapErrors } from './errors.js';
import { readWeights } from './weights.js';
import { modelFromWeights, type LoadedModel, type LoadModelOptions, type SourcedWeights } from './load-model.js';

/** reads and parses a weights file (.pt in either torch format, or .safetensors) */
export function readWeightsFile(file: string): SourcedWeights {
  let bytes = readWholeFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return wrapErrors(file, () => {
    // legacy storages follow pickles of arbitrary length: shift the buffer (in place) so they land aligned
    if (isLegacyPt(bytes)) bytes = alignInPlace(bytes, parseLegacyDataStart(bytes) + 8);
    return { ...readWeights(bytes), file, sha256 };
  });
}

/** reads a model file and builds the model it holds (see modelFromWeights) */
export function loadModelFile(file: string, opts: LoadModelOptions): LoadedModel {
  return modelFromWeights(readWeightsFile(file), opts);
}
