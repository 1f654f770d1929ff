/** The in-memory dataset type and per-dataset constants (shape, classes, normalisation). */
import type { Normalization } from '../snn/model.js';

export type DatasetName = 'cifar10' | 'cifar100' | 'mnist' | 'fashion-mnist';
export type Split = 'train' | 'test';

export const DATASET_NAMES: readonly DatasetName[] = ['cifar10', 'cifar100', 'mnist', 'fashion-mnist'];

/** images as bytes in NCHW order; labels one byte each (< numClasses) */
export interface Dataset {
  name: DatasetName;
  split: Split;
  /** N*C*H*W bytes, NCHW */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  channels: number;
  height: number;
  width: number;
  classes: string[];
  numClasses: number;
}

/** per-channel normalisation constants the seed uses ((x - mean) / std on [0,1] pixels) */
export const NORMALIZATION: Readonly<Record<DatasetName, Normalization>> = {
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] },
  cifar100: { mean: [0.5071, 0.4867, 0.4408], std: [0.2675, 0.2565, 0.2761] },
  mnist: { mean: [0.1307], std: [0.3081] },
  'fashion-mnist': { mean: [0.286], std: [0.353] },
};

export interface DatasetShape {
  channels: number;
  height: number;
  width: number;
  /** number of classes (CIFAR-100: fine labels; coarse labels have 20) */
  numClasses: number;
}

export const DATASET_SHAPE: Readonly<Record<DatasetName, DatasetShape>> = {
  cifar10: { channels: 3, height: 32, width: 32, numClasses: 10 },
  cifar100: { channels: 3, height: 32, width: 32, numClasses: 100 },
  mnist: { channels: 1, height: 28, width: 28, numClasses: 10 },
  'fashion-mnist': { channels: 1, height: 28, width: 28, numClasses: 10 },
};

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export function isDatasetName(s: string): s is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(s);
}

/** bytes per image */
export function imageSize(d: Pick<Dataset, 'channels' | 'height' | 'width'>): number {
  return d.channels * d.height * d.width;
}

/** number of images per class */
export function classCounts(d: Pick<Dataset, 'labels' | 'count' | 'numClasses'>): number[] {
  const counts = new Array<number>(d.numClasses).fill(0);
  for (let i = 0; i < d.count; i++) counts[d.labels[i]]++;
  return counts;
}
