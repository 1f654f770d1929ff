/**
 * Architecture descriptions. A spec says everything needed to build a model except its
 * weights; it is what checkpoints store and what `--arch` parses into.
 */

import { z } from 'zod';

/** a width, a channel or class count, an image side: a whole number that can index a typed array */
const count = z.number().int().min(1).max(2 ** 31 - 1);

/** a VGG layer list: numbers are 3x3 conv widths, 'A' an average pool that replaces the dropout before it */
export type VggLayer = number | 'A';

const dropout = z.number().min(0).lt(1);

export const VggSpecSchema = z.object({
  family: z.literal('vgg'),
  cfg: z.array(z.union([count, z.literal('A')])).min(1),
  /** classifier hidden widths (the seed: 4096, 4096) */
  hidden: z.array(count),
  labels: count,
  inChannels: count,
  imageSize: count,
  kernel: count.refine((k) => k % 2 === 1, 'must be odd (same padding)'),
  dropout,
});

export const ResNetSpecSchema = z.object({
  family: z.literal('resnet'),
  /** e.g. 'resnet20' */
  name: z.string().min(1).max(64),
  widths: z.array(count).min(1),
  blocks: z.array(count).min(1),
  strides: z.array(count).min(1),
  /** stem widths (DIET-SNN: 64, 64, 64) */
  stem: z.array(count).min(1),
  labels: count,
  inChannels: count,
  imageSize: count,
  dropout,
});

/** everything needed to build a model except its weights: what checkpoints store and --arch parses into */
export const ModelSpecSchema = z.discriminatedUnion('family', [VggSpecSchema, ResNetSpecSchema]);

export type VggSpec = z.infer<typeof VggSpecSchema>;
export type ResNetSpec = z.infer<typeof ResNetSpecSchema>;
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

/**
 * Whether two specs build the same network: every field but the dropout rate (a training
 * setting, which .pt files do not record), compared whatever order the fields were written in.
 */
export function specEquals(a: ModelSpec, b: ModelSpec): boolean {
  const canonical = (s: ModelSpec) => JSON.stringify(Object.entries(s).filter(([k]) => k !== 'dropout').sort(([x], [y]) => (x < y ? -1 : 1)));
  return canonical(a) === canonical(b);
}
