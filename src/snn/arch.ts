/**
 * `--arch`, parsed in one place for every command: `auto` (the architecture comes from a
 * checkpoint), a named preset (vgg11, resnet20) or a VGG layer list (64,A,128,A; A = a 2x2
 * average pool), and the spec it gives for an input shape.
 */
import { VGG_PRESETS, parseVggCfg, type ModelSpec, type VggLayer, type VggSpec } from './spec.js';
import { RESNET_BLOCKS, resnetSpec } from './resnet-presets.js';

/** what --arch asks for */
export type ArchRequest = { kind: 'auto' } | { kind: 'vgg'; cfg: VggLayer[]; name?: string } | { kind: 'resnet'; name: string };

/** a bad --arch (or an architecture that does not fit the input): the message is for the user as it is */
export class ArchError extends Error {
  override name = 'ArchError';
}

/** the seed's classifier for VGGs: two hidden layers of 4096 */
export const DEFAULT_HIDDEN = [4096, 4096];

/** the seed's dropout probability */
export const DEFAULT_DROPOUT = 0.2;

const CHOICES = `${Object.keys(VGG_PRESETS).join('/')}, ${Object.keys(RESNET_BLOCKS).join('/')} or a layer list like 24,A,48,48,A`;

/** parses --arch; `auto: false` where the architecture cannot come from a file */
export function parseArch(text: string | undefined, o: { auto?: boolean } = {}): ArchRequest {
  const allowAuto = o.auto ?? true;
  const t = (text ?? 'auto').trim().toLowerCase();
  if (t === 'auto') {
    if (!allowAuto) throw new ArchError('--arch auto needs --init (the architecture is read from the checkpoint)');
    return { kind: 'auto' };
  }
  if (t in VGG_PRESETS) return { kind: 'vgg', cfg: [...VGG_PRESETS[t]], name: t };
  if (t in RESNET_BLOCKS) return { kind: 'resnet', name: t };
  if (/^[0-9a,\s]+$/i.test(t)) {
    try {
      return { kind: 'vgg', cfg: parseVggCfg(t) };
    } catch (err) {
      throw new ArchError(`--arch: ${(err as Error).message}`);
    }
  }
  throw new ArchError(`unknown --arch "${text}": use ${allowAuto ? 'auto, ' : ''}${CHOICES}`);
}

/** what the network reads and outputs, plus the options that only some families take */
export interface ArchShape {
  labels: number;
  inChannels: number;
  imageSize: number;
  /** VGG classifier hidden widths (default 4096, 4096); refused for a ResNet */
  hidden?: number[];
  /** ResNet stage widths (default 64/128/256/512); refused for a VGG */
  widths?: number[];
  dropout?: number;
}

/** a VGG spec from a layer list: every 'A' follows a conv, and the pools leave at least one pixel */
export function vggSpec(cfg: VggLayer[], s: ArchShape): VggSpec {
  const text = cfg.join(',');
  cfg.forEach((l, i) => {
    if (l === 'A' && (i === 0 || cfg[i - 1] === 'A')) throw new ArchError(`--arch ${text}: 'A' (avg-pool) must follow a conv width (position ${i + 1})`);
  });
  if (!cfg.some((l) => l !== 'A')) throw new ArchError(`--arch ${text}: the layer list has no conv layer`);
  let size = s.imageSize;
  for (const l of cfg) if (l === 'A') size = Math.floor(size / 2);
  if (size < 1) throw new ArchError(`--arch ${text}: too many pools for ${s.imageSize}x${s.imageSize} images`);
  return {
    family: 'vgg', cfg: [...cfg], hidden: [...(s.hidden ?? DEFAULT_HIDDEN)], labels: s.labels,
    inChannels: s.inChannels, imageSize: s.imageSize, kernel: 3, dropout: s.dropout ?? DEFAULT_DROPOUT,
  };
}

/** the spec --arch gives for this input shape (a preset, a layer list or a ResNet; not auto) */
export function specFromArch(arch: string | ArchRequest, s: ArchShape): ModelSpec {
  const req = typeof arch === 'string' ? parseArch(arch, { auto: false }) : arch;
  switch (req.kind) {
    case 'auto':
      return parseArch('auto', { auto: false }) as never;
    case 'resnet':
      if (s.hidden) throw new ArchError('--hidden applies to VGGs; a ResNet has one output layer');
      try {
        return resnetSpec(req.name, { labels: s.labels, inChannels: s.inChannels, imageSize: s.imageSize, dropout: s.dropout ?? DEFAULT_DROPOUT, widths: s.widths });
      } catch (err) {
        throw new ArchError((err as Error).message);
      }
    case 'vgg':
      if (s.widths) throw new ArchError('--widths applies to ResNets; a VGG takes its widths from the layer list');
      return vggSpec(req.cfg, s);
  }
}
