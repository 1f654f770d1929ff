/** The architecture a training run builds: --arch (+ --hidden, --widths) on the dataset's shape, or --init's. */
import { specEquals, type ModelSpec } from '../snn/spec.js';
import { specFromArch, type ArchShape } from '../snn/arch.js';
import { specDetails } from '../snn/describe.js';
import { DATASET_SHAPE, type DatasetName } from '../data/dataset.js';
import { TrainConfigError } from './config.js';

/** what a model for this dataset reads and outputs */
export function datasetShape(dataset: DatasetName): Pick<ArchShape, 'labels' | 'inChannels' | 'imageSize'> {
  const shape = DATASET_SHAPE[dataset];
  if (shape.height !== shape.width) throw new TrainConfigError(`${dataset} images are not square`);
  return { labels: shape.numClasses, inChannels: shape.channels, imageSize: shape.height };
}

/** an --init checkpoint's spec must fit the dataset; --arch, when given, must agree with it */
export function checkInitSpec(spec: ModelSpec, o: { dataset: DatasetName; arch?: string; hidden?: number[]; widths?: number[]; dropout: number; init: string }): void {
  const shape = datasetShape(o.dataset);
  if (spec.labels !== shape.labels || spec.inChannels !== shape.inChannels || spec.imageSize !== shape.imageSize) {
    const { channels, height, width, numClasses } = DATASET_SHAPE[o.dataset];
    throw new TrainConfigError(`--init ${o.init} is for ${spec.inChannels}x${spec.imageSize}x${spec.imageSize} images and ${spec.labels} classes, but ${o.dataset} has ${channels}x${height}x${width} and ${numClasses}`);
  }
  if (o.arch && o.arch.toLowerCase() !== 'auto') {
    const asked = specFromArch(o.arch, { ...shape, hidden: o.hidden, widths: o.widths, dropout: spec.dropout });
    if (!specEquals(asked, spec)) throw new TrainConfigError(`--arch gives ${specDetails(asked)} but --init ${o.init} holds ${specDetails(spec)}`);
  }
}
