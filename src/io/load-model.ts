/**
 * One entry point for every model file a user may hold: our checkpoint (safetensors with
 * hire-snn metadata), a bare safetensors state_dict, or a `.pt` in either torch.save format
 * (the seed's released models, DIET-SNN training checkpoints). The file is read once; its
 * sha256 is computed from the same bytes.
 */
import { createHash } from 'node:crypto';
import type { ModelSpec, VggLayer } from '../snn/spec.js';
import { VGG_PRESETS, parseVggCfg } from '../snn/spec.js';
import type { Normalization, SpikingModel } from '../snn/model.js';
import { buildModel, loadStateDict } from '../snn/build.js';
import { describeSpec } from '../snn/describe.js';
import { readWholeFile, alignInPlace } from './read-file.js';
import { isSafetensors, readSafetensors } from './safetensors.js';
import { isLegacyPt, parseLegacyDataStart, readTorchPt } from './torch-pt.js';
import { findStateDict } from './state-dict.js';
import { inferArch, RESNET_BLOCKS } from './arch-infer.js';
import { CheckpointError, wrapErrors } from './errors.js';
import type { NamedArray } from './arrays.js';
import { toFloat32 } from './arrays.js';
import { type CheckpointMeta, type TrainingMethod, isOurCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './checkpoint.js';

export type ModelFileFormat = 'hire-snn' | 'safetensors' | 'torch-zip' | 'torch-legacy';

/** what --arch says: auto, a preset name (vgg11, resnet20) or a VGG layer list */
export type ArchRequest = { kind: 'auto' } | { kind: 'vgg'; cfg: VggLayer[]; name?: string } | { kind: 'resnet'; name: string };

export function parseArch(text: string | undefined): ArchRequest {
  const t = (text ?? 'auto').trim().toLowerCase();
  if (t === 'auto') return { kind: 'auto' };
  if (t in VGG_PRESETS) return { kind: 'vgg', cfg: VGG_PRESETS[t], name: t };
  if (t in RESNET_BLOCKS) return { kind: 'resnet', name: t };
  if (/^[0-9a,\s]+$/i.test(t)) return { kind: 'vgg', cfg: parseVggCfg(t) };
  throw new CheckpointError(`unknown --arch "${text}": use auto, ${Object.keys(VGG_PRESETS).join('/')}, ${Object.keys(RESNET_BLOCKS).join('/')} or a layer list like 24,A,48,48,A`);
}

export interface LoadModelOptions {
  arch?: ArchRequest;
  hidden?: number[];
  /** used when the file does not record it (.pt files): the dataset's */
  normalization: Normalization;
  imageSize?: number;
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

function sameSpec(a: ModelSpec, b: ModelSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function specFromTensors(tensors: Map<string, NamedArray>, opts: LoadModelOptions, file: string): { spec: ModelSpec; preset?: string } {
  const arch = opts.arch ?? { kind: 'auto' };
  const inferred = inferArch(tensors, {
    cfg: arch.kind === 'vgg' ? arch.cfg : undefined,
    hidden: opts.hidden,
    imageSize: opts.imageSize,
  }, file);
  if (arch.kind === 'resnet') {
    if (inferred.spec.family !== 'resnet') throw new CheckpointError(`${file}: --arch ${arch.name} but the file holds a ${inferred.spec.family.toUpperCase()}`);
    const blocks = RESNET_BLOCKS[arch.name];
    if (inferred.spec.blocks.join(',') !== blocks.join(',')) {
      throw new CheckpointError(`${file}: --arch ${arch.name} has blocks [${blocks.join(',')}] but the file has [${inferred.spec.blocks.join(',')}]`);
    }
  }
  if (arch.kind === 'vgg' && inferred.spec.family !== 'vgg') throw new CheckpointError(`${file}: --arch is a VGG layout but the file holds a ResNet`);
  return inferred;
}

export function loadModelFile(file: string, opts: LoadModelOptions): LoadedModel {
  let bytes = readWholeFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return wrapErrors(file, () => {
    if (isSafetensors(bytes)) {
      const { tensors, metadata } = readSafetensors(bytes);
      if (isOurCheckpoint(metadata)) {
        const meta = JSON.parse(metadata['hire-snn']) as CheckpointMeta;
        if (meta.format !== CHECKPOINT_FORMAT || !(meta.version <= CHECKPOINT_VERSION) || !meta.spec) {
          throw new CheckpointError(`unsupported hire-snn checkpoint (format ${String(meta.format)}, version ${String(meta.version)})`);
        }
        const arch = opts.arch ?? { kind: 'auto' };
        if (arch.kind !== 'auto') {
          const asked = specFromTensors(tensors, opts, file).spec;
          if (!sameSpec(asked, meta.spec)) throw new CheckpointError(`--arch gives ${describeSpec(asked)} but the checkpoint records ${describeSpec(meta.spec)}`);
        }
        const model = buildModel(meta.spec, meta.normalization);
        loadStateDict(model, toFloatMap(tensors), file);
        return { model, spec: meta.spec, format: 'hire-snn', file, sha256, meta, method: meta.method };
      }
      const { spec, preset } = specFromTensors(tensors, opts, file);
      const model = buildModel(spec, opts.normalization);
      loadStateDict(model, toFloatMap(tensors), file);
      return { model, spec, format: 'safetensors', file, sha256, method: 'imported', preset };
    }
    if (isLegacyPt(bytes)) bytes = alignInPlace(bytes, parseLegacyDataStart(bytes) + 8);
    const pt = readTorchPt(bytes);
    const sd = findStateDict(pt.value);
    const { spec, preset } = specFromTensors(sd.tensors, opts, file);
    const model = buildModel(spec, opts.normalization);
    loadStateDict(model, toFloatMap(sd.tensors), file);
    return { model, spec, format: pt.format, file, sha256, method: 'imported', preset };
  });
}

function toFloatMap(tensors: Map<string, NamedArray>): Map<string, { shape: number[]; data: Float32Array }> {
  return new Map([...tensors].map(([k, v]) => [k, { shape: v.shape, data: toFloat32(v) }]));
}
