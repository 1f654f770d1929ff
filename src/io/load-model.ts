/**
 * A model from any weights file a user may hold: our checkpoint (safetensors with hire-snn
 * metadata: its spec and normalisation are used), a bare safetensors state_dict or a `.pt` in
 * either torch.save format (the seed's released models, DIET-SNN training checkpoints: the
 * architecture is inferred from the tensors, or fixed by --arch). Works on weights already
 * read (src/io/weights.ts), so nothing here touches the file system.
 */
import { specEquals, type ModelSpec } from '../snn/spec.js';
import type { Normalization, SpikingModel } from '../snn/model.js';
import type { ArchRequest } from '../snn/arch.js';
import { buildModel } from '../snn/build.js';
import { specDetails } from '../snn/describe.js';
import { inferArchFor } from './arch-infer.js';
import { CheckpointError, wrapErrors } from './errors.js';
import { checkStateDict, loadStateDict } from './spec-keys.js';
import type { Weights, WeightsFormat } from './weights.js';
import type { CheckpointMeta, TrainingMethod } from './checkpoint-meta.js';

export type ModelFileFormat = 'hire-snn' | WeightsFormat;

/** weights with where they came from (the file name and the sha256 of its bytes) */
export interface SourcedWeights extends Weights {
  file: string;
  sha256: string;
}

export interface ArchOptions {
  /** what --arch said (default auto: from the checkpoint's metadata, else inferred from the tensors) */
  arch?: ArchRequest;
  /** classifier hidden widths of a VGG, checked against the tensors */
  hidden?: number[];
  imageSize?: number;
}

export interface LoadModelOptions extends ArchOptions {
  /** used when the file does not record it (.pt files): the dataset's */
  normalization: Normalization;
}

export interface LoadedModel {
  model: SpikingModel;
  spec: ModelSpec;
  format: ModelFileFormat;
  file: string;
  sha256: string;
  /** present for our checkpoints */
  meta?: CheckpointMeta;
  method: TrainingMethod;
  /** the preset name the architecture matched, when inferred */
  preset?: string;
}

/**
 * The architecture of the weights: our checkpoint's recorded spec (which --arch, when given,
 * must equal), else the one inferred from the tensors under --arch. Either way checked key by
 * key against the tensors, before any model is built.
 */
export function resolveSpec(w: SourcedWeights, opts: ArchOptions = {}): { spec: ModelSpec; preset?: string } {
  return wrapErrors(w.file, () => {
    const arch = opts.arch ?? { kind: 'auto' };
    const tensors = w.stateDict.tensors;
    const meta = w.checkpoint;
    if (!meta) return inferArchFor(tensors, arch, opts, w.file);
    if (arch.kind !== 'auto') {
      const asked = inferArchFor(tensors, arch, opts, w.file).spec;
      if (!specEquals(asked, meta.spec)) throw new CheckpointError(`--arch gives ${specDetails(asked)} but the checkpoint records ${specDetails(meta.spec)}`);
    }
    checkStateDict(tensors, meta.spec, w.file);
    return { spec: meta.spec };
  });
}

/** builds the model the weights describe and fills it; `spec` when already resolved (resolveSpec) */
export function modelFromWeights(w: SourcedWeights, opts: LoadModelOptions, resolved = resolveSpec(w, opts)): LoadedModel {
  const meta = w.checkpoint;
  const model = buildModel(resolved.spec, meta?.normalization ?? opts.normalization);
  wrapErrors(w.file, () => loadStateDict(model, w.stateDict.tensors, w.file));
  return {
    model, spec: resolved.spec, format: meta ? 'hire-snn' : w.format, file: w.file, sha256: w.sha256,
    ...(meta ? { meta } : {}), method: meta?.method ?? 'imported', ...(resolved.preset ? { preset: resolved.preset } : {}),
  };
}
