/**
 * ANN -> SNN conversion, the seed lineage's initialisation of spiking training: the ANN's
 * weights as they are, then layer by layer the 99.7th percentile of each spiking layer's input
 * current on a calibration batch of training images (leak 1.0, earlier layers already
 * spiking), times a scaling factor (0.7 for T of about 8); leaks start at 1.0.
 */
import { Tensor } from '../tensor/tensor.js';
import type { SpikingModel } from '../snn/model.js';
import { findThresholds } from '../snn/thresholds.js';
import type { Dataset } from '../data/dataset.js';
import { BatchLoader } from '../data/loader.js';
import { mixSeed } from '../data/rng.js';

const CALIBRATION_STREAM = 0x43414c;

export interface ConversionOptions {
  timesteps: number;
  percentile: number;
  scaling: number;
}

export interface ConversionResult {
  /** per spiking layer (threshold key suffix): the percentile found and the threshold set */
  layers: { index: number; raw: number; threshold: number }[];
  calibrationImages: number;
}

/** the calibration batch: `count` training images drawn by the seed, without augmentation */
export function calibrationBatch(train: Dataset, count: number, seed: number): Tensor {
  const n = Math.min(count, train.count);
  const loader = new BatchLoader(train, { batchSize: n, shuffle: true, seed: mixSeed(seed, CALIBRATION_STREAM) });
  const b = loader.batch(0, 0);
  return new Tensor(b.x01, [b.size, train.channels, train.height, train.width]);
}

export function convertAnnToSnn(model: SpikingModel, calib01: Tensor, o: ConversionOptions): ConversionResult {
  const { raw } = findThresholds(model, calib01, { timesteps: o.timesteps, percentile: o.percentile, scaling: o.scaling });
  return {
    layers: raw.map((r) => ({ index: r.index, raw: r.value, threshold: model.params.get(`threshold.t${r.index}`)!.data[0] })),
    calibrationImages: calib01.shape[0],
  };
}
