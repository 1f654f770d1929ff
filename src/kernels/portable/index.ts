/**
 * The portable backend: pure TypeScript, single-threaded, no SIMD. Used by the browser build,
 * by CI and wherever the native addon is not built. Each kernel lives in the file of its kind.
 */
import type { Backend } from '../backend.js';
import { gemm } from './gemm.js';
import { conv2dBackwardData, conv2dBackwardWeights, conv2dForward } from './conv.js';
import {
  conv2dBackwardDataSparse, conv2dBackwardWeightsSparse, conv2dForwardSparse, countNonzero, linearBackwardDataSparse, linearBackwardWeightsSparse, linearForwardSparse,
} from './sparse.js';
import { adamStep, mulRepeated, sgdStep } from './optim.js';
import { avgPoolBackward, avgPoolForward } from './pool.js';
import { lifBackward, lifBackwardPooled, lifForward, lifForwardPooled } from './lif.js';

export const portableBackend = {
  name: 'portable',
  info: () => ({
    name: 'portable',
    threads: 1,
    details: { simd: 'none', gemm: 'blocked 4x4 float64-packed', language: 'TypeScript' },
  }),
  // core
  conv2dForward, conv2dBackwardData, conv2dBackwardWeights, gemm, avgPoolForward, avgPoolBackward,
  mulRepeated, adamStep, sgdStep, lifForward, lifBackward,
  // event-driven
  countNonzero, conv2dForwardSparse, conv2dBackwardWeightsSparse, conv2dBackwardDataSparse,
  linearForwardSparse, linearBackwardWeightsSparse, linearBackwardDataSparse,
  // fused
  lifForwardPooled, lifBackwardPooled,
} satisfies Backend;
