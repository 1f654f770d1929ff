/**
 * The portable backend: pure TypeScript, single-threaded, no SIMD. Used by the browser build,
 * by CI and wherever the native addon is not built.
 */
import type { AdamHyper, Backend, BackendInfo, ConvShape, LifGrads, LifParams, LifPooledCounts, SgdHyper } from '../backend.js';
import { gemm } from './gemm.js';
import { conv2dBackwardData, conv2dBackwardWeights, conv2dForward } from './conv.js';
import {
  conv2dBackwardDataSparse, conv2dBackwardWeightsSparse, conv2dForwardSparse, countNonzero, linearBackwardDataSparse, linearBackwardWeightsSparse, linearForwardSparse,
} from './sparse.js';
import { adamStep, mulRepeated, sgdStep } from './optim.js';
import { avgPoolBackward, avgPoolForward } from './pool.js';
import { checkPooled, lifBackward, lifForward } from './lif.js';

export class PortableBackend implements Backend {
  readonly name = 'portable' as const;

  info(): BackendInfo {
    return {
      name: 'portable',
      threads: 1,
      details: { simd: 'none', gemm: 'blocked 4x4 float64-packed', language: 'TypeScript' },
    };
  }

  conv2dForward(x: Float32Array, weight: Float32Array, s: ConvShape, y: Float32Array): void {
    conv2dForward(x, weight, s, y);
  }

  conv2dForwardSparse(x: Float32Array, weight: Float32Array, s: ConvShape, y: Float32Array): void {
    conv2dForwardSparse(x, weight, s, y);
  }

  countNonzero(x: Float32Array): number {
    return countNonzero(x);
  }

  conv2dBackwardWeightsSparse(x: Float32Array, dy: Float32Array, s: ConvShape, dw: Float32Array): void {
    conv2dBackwardWeightsSparse(x, dy, s, dw);
  }

  conv2dBackwardDataSparse(dy: Float32Array, weight: Float32Array, s: ConvShape, dx: Float32Array): void {
    conv2dBackwardDataSparse(dy, weight, s, dx);
  }

  mulRepeated(x: Float32Array, mask: Float32Array, y: Float32Array): void {
    mulRepeated(x, mask, y);
  }

  adamStep(
    param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array,
    maxExpAvgSq: Float32Array | null, h: AdamHyper,
  ): void {
    adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, h);
  }

  sgdStep(param: Float32Array, grad: Float32Array, momentumBuf: Float32Array | null, h: SgdHyper): void {
    sgdStep(param, grad, momentumBuf, h);
  }

  conv2dBackwardData(dy: Float32Array, weight: Float32Array, s: ConvShape, dx: Float32Array): void {
    conv2dBackwardData(dy, weight, s, dx);
  }

  conv2dBackwardWeights(x: Float32Array, dy: Float32Array, s: ConvShape, dw: Float32Array): void {
    conv2dBackwardWeights(x, dy, s, dw);
  }

  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
  ): void {
    gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
  }

  linearForwardSparse(x: Float32Array, weight: Float32Array, n: number, inF: number, outF: number, y: Float32Array): void {
    linearForwardSparse(x, weight, n, inF, outF, y);
  }

  linearBackwardWeightsSparse(x: Float32Array, dy: Float32Array, n: number, inF: number, outF: number, dw: Float32Array): void {
    linearBackwardWeightsSparse(x, dy, n, inF, outF, dw);
  }

  linearBackwardDataSparse(dy: Float32Array, weight: Float32Array, n: number, inF: number, outF: number, dx: Float32Array): void {
    linearBackwardDataSparse(dy, weight, n, inF, outF, dx);
  }

  avgPoolForward(x: Float32Array, n: number, c: number, h: number, w: number, k: number, y: Float32Array): number {
    return avgPoolForward(x, n, c, h, w, k, y);
  }

  avgPoolBackward(dy: Float32Array, n: number, c: number, h: number, w: number, k: number, dx: Float32Array): void {
    avgPoolBackward(dy, n, c, h, w, k, dx);
  }

  lifForward(current: Float32Array, p: LifParams, spikes: Float32Array): number {
    return lifForward(current, p, spikes);
  }

  lifBackward(current: Float32Array, gradSpikes: Float32Array, p: LifParams, gradCurrent: Float32Array): LifGrads {
    return lifBackward(current, gradSpikes, p, gradCurrent);
  }

  // the pooled variants compose the two kernels: the rows of all planes pool as one tall plane
  lifForwardPooled(current: Float32Array, p: LifParams, width: number, pooled: Float32Array): LifPooledCounts {
    checkPooled(p, width);
    const spikes = new Float32Array(p.steps * p.size);
    const count = lifForward(current, p, spikes);
    const pooledNonzero = avgPoolForward(spikes, 1, 1, (p.steps * p.size) / width, width, 2, pooled);
    return { spikes: count, pooledNonzero };
  }

  lifBackwardPooled(current: Float32Array, gradPooled: Float32Array, p: LifParams, width: number, gradCurrent: Float32Array): LifGrads {
    checkPooled(p, width);
    const gradSpikes = new Float32Array(p.steps * p.size);
    avgPoolBackward(gradPooled, 1, 1, (p.steps * p.size) / width, width, 2, gradSpikes);
    return lifBackward(current, gradSpikes, p, gradCurrent);
  }
}
