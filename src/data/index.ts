/** The dataset layer: reading CIFAR-10/100, MNIST and Fashion-MNIST, batching and augmentation. */
export * from './dataset.js';
export { DataError } from './errors.js';
export { loadDataset, loadDatasets, readSource, requestedRange, type LoadOptions } from './load.js';
export { locateData, neededFiles, searchRoots, type DataSource } from './locate.js';
export { readTar, readTarFiles, type MemberSink } from './archive.js';
export type { Batch } from './batch.js';
export { BatchLoader, type LoadedBatch, type BatchLoaderOptions } from './loader.js';
export { augment01, cropFlipInto, drawCropFlip, type AugmentOptions, type CropFlip } from './augment.js';
export { mixSeed, Rng, splitmix32 } from './rng.js';
