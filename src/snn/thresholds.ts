/**
 * Threshold initialisation of the seed lineage (DIET-SNN find_threshold): layer by layer,
 * leak 1.0, the 99.7th percentile of the layer's input current over the calibration batch,
 * maximum over the steps, earlier layers spiking with the (raw) thresholds already found;
 * finally every threshold is multiplied by the scaling factor and leaks are reset to 1.
 */
import { Tensor, noGrad } from '../tensor/tensor.js';
import type { SpikingModel } from './model.js';
import { percentile } from './percentile.js';

/** --convert: when a loaded model gets the threshold search */
export const CONVERT_MODES = ['auto', 'always', 'never'] as const;
export type ConvertMode = (typeof CONVERT_MODES)[number];

/** whether a model trained as `method` (a checkpoint's; 'ann': ReLU weights, no thresholds) gets the search (auto: when it is an ANN) */
export function wantsConversion(mode: ConvertMode, method: string): boolean {
  return mode === 'always' || (mode === 'auto' && method === 'ann');
}

export interface ThresholdSearchOptions {
  timesteps: number;
  percentile?: number;
  scaling?: number;
  /** only these spiking layer indices are searched; others keep their thresholds (DIET-SNN covered only a ResNet's stem) */
  layers?: Set<number>;
}

export interface ThresholdSearchResult {
  /** raw thresholds (before scaling), one per searched layer, in layer order */
  raw: { index: number; value: number }[];
}

export function findThresholds(model: SpikingModel, calib01: Tensor, opts: ThresholdSearchOptions): ThresholdSearchResult {
  const q = opts.percentile ?? 99.7;
  const scaling = opts.scaling ?? 1;
  const raw: { index: number; value: number }[] = [];
  noGrad(() => {
    model.forward(calib01, {
      timesteps: opts.timesteps,
      calibrate: (layer, current, stepSize, constant) => {
        const thr = model.params.get(`threshold.t${layer}`)!;
        if (opts.layers && !opts.layers.has(layer)) return thr.data[0];
        const steps = constant ? 1 : current.length / stepSize;
        let max = 0;
        for (let t = 0; t < steps; t++) {
          const cur = percentile(current, q, t * stepSize, stepSize);
          if (cur > max) max = cur;
        }
        if (!(max > 0)) {
          throw new Error(`threshold search: layer ${layer} gets no positive input current on the calibration batch (99.7th percentile <= 0)`);
        }
        raw.push({ index: layer, value: max });
        return max;
      },
    });
  });
  const searched = new Set(raw.map((r) => r.index));
  for (const layer of model.spikingLayers()) {
    if (!searched.has(layer.index)) continue;
    model.params.get(`threshold.t${layer.index}`)!.data[0] = Math.fround(raw.find((r) => r.index === layer.index)!.value * scaling);
    model.params.get(`leak.l${layer.index}`)!.data[0] = 1;
  }
  return { raw };
}
