/** The architecture a training run builds: --arch (+ --hidden, --widths) on the dataset's shape. */
import type { ModelSpec } from '../snn/spec.js';
import { resnetSpec } from '../snn/resnet-presets.js';
import { parseArch } from '../io/load-model.js';
import { describeSpec } from '../snn/describe.js';
import { DATASET_SHAPE, type DatasetName } from '../data/dataset.js';
import { TrainConfigError } from './config.js';

/** the seed's classifier for VGGs: two hidden layers of 4096 */
export const DEFAULT_HIDDEN = [4096, 4096];

export function specFromArch(arch: string, o: { dataset: DatasetName; hidden?: number[]; widths?: number[]; dropout: number }): ModelSpec {
  let req;
  try {
    req = parseArch(arch);
  } catch (err) {
    throw new TrainConfigError((err as Error).message.replace('use auto, ', 'use '));
  }
  const shape = DATASET_SHAPE[o.dataset];
  if (shape.height !== shape.width) throw new TrainConfigError(`${o.dataset} images are not square`);
  switch (req.kind) {
    case 'auto':
      throw new TrainConfigError('--arch auto needs --init (the architecture is read from the checkpoint)');
    case 'resnet':
      if (o.hidden) throw new TrainConfigError('--hidden applies to VGGs; a ResNet has one output layer');
      try {
        return resnetSpec(req.name, { labels: shape.numClasses, inChannels: shape.channels, imageSize: shape.height, dropout: o.dropout, widths: o.widths });
      } catch (err) {
        throw new TrainConfigError((err as Error).message);
      }
    case 'vgg': {
      if (o.widths) throw new TrainConfigError('--widths applies to ResNets; a VGG takes its widths from the layer list');
      req.cfg.forEach((l, i) => {
        if (l === 'A' && (i === 0 || req.cfg[i - 1] === 'A')) throw new TrainConfigError(`--arch ${arch}: 'A' (avg-pool) must follow a conv width (position ${i + 1})`);
      });
      let size = shape.height;
      for (const l of req.cfg) if (l === 'A') size = Math.floor(size / 2);
      if (size < 1) throw new TrainConfigError(`--arch ${arch}: too many pools for ${shape.height}x${shape.width} images`);
      return {
        family: 'vgg', cfg: req.cfg, hidden: o.hidden ?? DEFAULT_HIDDEN, labels: shape.numClasses,
        inChannels: shape.channels, imageSize: shape.height, kernel: 3, dropout: o.dropout,
      };
    }
  }
}

/** an --init checkpoint's spec must fit the dataset; --arch, when given, must agree with it */
export function checkInitSpec(spec: ModelSpec, o: { dataset: DatasetName; arch?: string; hidden?: number[]; widths?: number[]; dropout: number; init: string }): void {
  const shape = DATASET_SHAPE[o.dataset];
  if (spec.labels !== shape.numClasses || spec.inChannels !== shape.channels || spec.imageSize !== shape.height) {
    throw new TrainConfigError(`--init ${o.init} is for ${spec.inChannels}x${spec.imageSize}x${spec.imageSize} images and ${spec.labels} classes, but ${o.dataset} has ${shape.channels}x${shape.height}x${shape.width} and ${shape.numClasses}`);
  }
  if (o.arch && o.arch.toLowerCase() !== 'auto') {
    const asked = specFromArch(o.arch, { dataset: o.dataset, hidden: o.hidden, widths: o.widths, dropout: spec.dropout });
    if (describeSpec(asked) !== describeSpec(spec)) throw new TrainConfigError(`--arch gives ${describeSpec(asked)} but --init ${o.init} holds ${describeSpec(spec)}`);
  }
}
