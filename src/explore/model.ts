/**
 * A model for the explorer from a file's bytes: the CLI's reader (src/io/weights.ts: our
 * checkpoint, a bare safetensors state_dict or a seed .pt; nothing in the file is executed), the
 * CLI's errors (one line naming the file), then the checks that it fits the images on offer.
 */
import { readWeights } from '../io/weights.js';
import { modelFromWeights, resolveSpec, type ArchOptions, type LoadedModel } from '../io/load-model.js';
import { parseArch } from '../snn/arch.js';
import { CheckpointError, wrapErrors } from '../io/errors.js';
import { NORMALIZATION, type Dataset } from '../data/dataset.js';

/** T when the file does not record it (a .pt): eval's default */
export const DEFAULT_TIMESTEPS = 8;

export interface ExplorerModel extends LoadedModel {
  timesteps: number;
}

/** what `hire-snn explore --arch/--hidden` said, for a .pt whose architecture cannot be inferred */
export interface ExplorerArch {
  arch?: string;
  hidden?: number[];
}

function archOptions(a: ExplorerArch, imageSize?: number): ArchOptions {
  return { arch: parseArch(a.arch), ...(a.hidden ? { hidden: a.hidden } : {}), ...(imageSize ? { imageSize } : {}) };
}

/** the model's architecture only (which dataset it is for decides the images and normalisation) */
export function peekSpec(bytes: Uint8Array, name: string, a: ExplorerArch = {}) {
  const weights = wrapErrors(name, () => readWeights(bytes));
  return { spec: resolveSpec({ ...weights, file: name, sha256: '' }, archOptions(a)).spec, checkpoint: weights.checkpoint };
}

/** `images`: the set the page shows (its shape, classes and normalisation); `sha256` of the bytes when known */
export function loadExplorerModel(bytes: Uint8Array, name: string, images: Dataset, opts: ExplorerArch & { sha256?: string } = {}): ExplorerModel {
  const weights = wrapErrors(name, () => readWeights(bytes));
  const loaded = modelFromWeights({ ...weights, file: name, sha256: opts.sha256 ?? '' }, { normalization: NORMALIZATION[images.name], ...archOptions(opts, images.height) });
  const { spec } = loaded;
  const takes = `${spec.inChannels}x${spec.imageSize}x${spec.imageSize}`;
  const shown = `${images.channels}x${images.height}x${images.width}`;
  if (takes !== shown) throw new CheckpointError(`${name}: the model takes ${takes} images, the images here are ${images.name} ${shown}`);
  if (spec.labels !== images.numClasses) throw new CheckpointError(`${name}: the model has ${spec.labels} classes, the images here are ${images.name} with ${images.numClasses}`);
  return { ...loaded, timesteps: loaded.meta?.timesteps ?? DEFAULT_TIMESTEPS };
}
