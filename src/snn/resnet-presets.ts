/**
 * Named spiking ResNets of the DIET-SNN lineage (self_models/resnet_spiking.py, cfg): the
 * number of basic blocks per stage. Widths 64/128/256/512, strides 1/2/2/2 and a three-conv
 * stem of width 64 are DIET-SNN's fixed choices; here they are defaults.
 */
import type { ResNetSpec } from './spec.js';

export const RESNET_BLOCKS: Record<string, number[]> = {
  resnet12: [1, 1, 1, 1],
  resnet20: [2, 2, 2, 2],
  resnet34: [3, 4, 6, 3],
};

export const RESNET_DEFAULT_WIDTHS = [64, 128, 256, 512];
export const RESNET_DEFAULT_STRIDES = [1, 2, 2, 2];

export interface ResNetSpecOptions {
  labels: number;
  /** stage widths (default 64/128/256/512) */
  widths?: number[];
  /**
   * stem conv widths; default three convs of widths[0] (DIET-SNN: 64, 64, 64, i.e. its
   * in_planes = the first stage's width, so layer1.0 has an identity shortcut)
   */
  stem?: number[];
  inChannels?: number;
  imageSize?: number;
  dropout?: number;
}

function positiveInts(what: string, xs: number[]): void {
  if (xs.length === 0 || !xs.every((x) => Number.isInteger(x) && x >= 1)) {
    throw new Error(`${what} must be positive integers, got [${xs.join(', ')}]`);
  }
}

export function resnetSpec(name: string, opts: ResNetSpecOptions): ResNetSpec {
  const key = name.toLowerCase();
  const blocks = RESNET_BLOCKS[key];
  if (!blocks) throw new Error(`unknown ResNet "${name}": use one of ${Object.keys(RESNET_BLOCKS).join(', ')}`);
  const widths = opts.widths ?? RESNET_DEFAULT_WIDTHS;
  if (widths.length !== blocks.length) throw new Error(`${key} has ${blocks.length} stages, got ${widths.length} widths`);
  positiveInts('ResNet widths', widths);
  const stem = opts.stem ?? [widths[0], widths[0], widths[0]];
  positiveInts('ResNet stem widths', stem);
  const spec: ResNetSpec = {
    family: 'resnet',
    name: key,
    widths: [...widths],
    blocks: [...blocks],
    strides: [...RESNET_DEFAULT_STRIDES],
    stem: [...stem],
    labels: opts.labels,
    inChannels: opts.inChannels ?? 3,
    imageSize: opts.imageSize ?? 32,
    dropout: opts.dropout ?? 0.2,
  };
  positiveInts('labels, input channels and image size', [spec.labels, spec.inChannels, spec.imageSize]);
  return spec;
}
