/**
 * How long the explorer's work takes on one image: an inference (forward, no gradient) and one
 * PGD step (forward + backward to the input; the sign step and projection are negligible), the
 * median of a few runs after a warm-up. The worker and scripts/time-explorer.ts run it in a
 * browser and in Node, so both sides are timed by the same code.
 */
import { Tensor, noGrad } from '../tensor/tensor.js';
import { releasingBuffers } from '../tensor/buffer.js';
import type { SpikingModel } from '../snn/model.js';
import { inputGradient } from '../attacks/base.js';

export interface ExplorerTiming {
  /** ms per image */
  inferenceMs: number;
  pgdStepMs: number;
  runs: number;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function timed(fn: () => void, runs: number): number {
  fn(); // warm-up: compiled code, the buffer pool filled
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export function timeExplorer(model: SpikingModel, timesteps: number, x01: Float32Array, label: number, runs = 5): ExplorerTiming {
  const { spec } = model;
  const shape = [1, spec.inChannels, spec.imageSize, spec.imageSize];
  const inferenceMs = timed(() => {
    releasingBuffers(() => noGrad(() => model.forward(new Tensor(x01, shape), { timesteps })), () => []);
  }, runs);
  const pgdStepMs = timed(() => {
    inputGradient({ model, timesteps }, x01, { x01, shape, labels: [label] });
  }, runs);
  return { inferenceMs, pgdStepMs, runs };
}
