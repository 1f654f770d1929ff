/**
 * Architecture descriptions. A spec says everything needed to build a model except its
 * weights; it is what checkpoints store and what `--arch` parses into.
 */

/** a VGG layer list: numbers are 3x3 conv widths, 'A' an average pool that replaces the dropout before it */
export type VggLayer = number | 'A';

export interface VggSpec {
  family: 'vgg';
  cfg: VggLayer[];
  /** classifier hidden widths (the seed: 4096, 4096) */
  hidden: number[];
  labels: number;
  inChannels: number;
  imageSize: number;
  kernel: number;
  dropout: number;
}

export interface ResNetSpec {
  family: 'resnet';
  /** e.g. 'resnet20' */
  name: string;
  widths: number[];
  blocks: number[];
  strides: number[];
  /** stem widths (DIET-SNN: 64, 64, 64) */
  stem: number[];
  labels: number;
  inChannels: number;
  imageSize: number;
  dropout: number;
}

export type ModelSpec = VggSpec | ResNetSpec;

/** the seed's named VGG layouts (vgg_spiking_nodewise.py) */
export const VGG_PRESETS: Record<string, VggLayer[]> = {
  vgg4: [64, 'A', 128, 'A'],
  vgg5: [64, 'A', 128, 128, 'A'],
  vgg6: [64, 'A', 128, 128, 'A'],
  vgg9: [64, 'A', 128, 256, 'A', 256, 512, 'A', 512, 'A', 512],
  vgg11: [64, 'A', 128, 256, 'A', 512, 512, 512, 'A', 512, 512],
  vgg13: [64, 64, 'A', 128, 128, 'A', 256, 256, 'A', 512, 512, 512, 'A', 512],
  vgg16: [64, 64, 'A', 128, 128, 'A', 256, 256, 256, 'A', 512, 512, 512, 'A', 512, 512, 512],
  vgg19: [64, 64, 'A', 128, 128, 'A', 256, 256, 256, 256, 'A', 512, 512, 512, 512, 'A', 512, 512, 512, 512],
};

/** spatial size after the conv stack (3x3 convs keep it, each 'A' halves it) */
export function vggFeatureSize(spec: Pick<VggSpec, 'cfg' | 'imageSize'>): number {
  let s = spec.imageSize;
  for (const l of spec.cfg) if (l === 'A') s = Math.floor(s / 2);
  return s;
}

/** number of inputs of the first classifier layer */
export function vggFlatFeatures(spec: Pick<VggSpec, 'cfg' | 'imageSize'>): number {
  const widths = spec.cfg.filter((l): l is number => l !== 'A');
  const s = vggFeatureSize(spec);
  return widths[widths.length - 1] * s * s;
}

/** parse a CFG string like `24,A,48,48,A` (the syntax of --arch) */
export function parseVggCfg(text: string): VggLayer[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  if (parts.length === 0) throw new Error(`empty layer list "${text}"`);
  return parts.map((p) => {
    if (p === 'A' || p === 'a') return 'A';
    if (!/^[0-9]+$/.test(p) || Number(p) < 1) throw new Error(`bad layer "${p}" in "${text}": use conv widths and A for avg-pool`);
    return Number(p);
  });
}
