/**
 * Loader for the native backend: an N-API addon (build/Release/hire_snn.node, built by
 * scripts/build-native.mjs at install time) over oneDNN with OpenMP threads.
 * Loading never throws: when the addon is missing or broken the caller gets a reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SURROGATE_KINDS, checkSurrogate, type AdamHyper, type Backend, type BackendInfo, type ConvShape, type LifGrads, type LifParams, type LifPooledCounts, type SgdHyper } from './backend.js';

export type ConvLayoutMode = 'plain' | 'blocked' | 'auto';

/** the addon's exports (native/addon.cc) */
export interface NativeAddon {
  info(): {
    dnnlVersion: string; dnnlHash: string; isa: string; threads: number; procs: number; convLayout: ConvLayoutMode;
    /** glibc malloc serves big buffers from the heap (native/addon.cc; HIRE_SNN_MALLOC_TUNING=0 disables) */
    mallocTuned: boolean;
  };
  cacheStats(): { hits: number; misses: number; entries: number; scratchBytes: number };
  clearCaches(): void;
  /**
   * Conv operand layouts: 'plain' runs oneDNN on the NCHW buffers directly, 'blocked' lets
   * oneDNN pick blocked layouts and reorders in and out, 'auto' (default) picks per primitive.
   * Sets the mode when given one; returns the current mode. Env: HIRE_SNN_CONV_LAYOUT.
   */
  convLayout(layout?: ConvLayoutMode): ConvLayoutMode;
  conv2dForward(x: Float32Array, w: Float32Array, y: Float32Array, ...shape: number[]): void;
  conv2dForwardSparse(x: Float32Array, w: Float32Array, y: Float32Array, ...shape: number[]): void;
  countNonzero(x: Float32Array): number;
  conv2dBackwardData(dy: Float32Array, w: Float32Array, dx: Float32Array, ...shape: number[]): void;
  conv2dBackwardWeightsSparse(x: Float32Array, dy: Float32Array, dw: Float32Array, ...shape: number[]): void;
  conv2dBackwardDataSparse(dy: Float32Array, w: Float32Array, dx: Float32Array, ...shape: number[]): void;
  linearForwardSparse(x: Float32Array, w: Float32Array, y: Float32Array, n: number, inF: number, outF: number): void;
  linearBackwardWeightsSparse(x: Float32Array, dy: Float32Array, dw: Float32Array, n: number, inF: number, outF: number): void;
  linearBackwardDataSparse(dy: Float32Array, w: Float32Array, dx: Float32Array, n: number, inF: number, outF: number): void;
  mulRepeated(x: Float32Array, mask: Float32Array, y: Float32Array): void;
  adamStep(
    param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, maxExpAvgSq: Float32Array | null,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, step: number,
  ): void;
  sgdStep(
    param: Float32Array, grad: Float32Array, momentumBuf: Float32Array | null,
    lr: number, momentum: number, weightDecay: number, nesterov: boolean, firstStep: boolean,
  ): void;
  conv2dBackwardWeights(x: Float32Array, dy: Float32Array, dw: Float32Array, ...shape: number[]): void;
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
  ): void;
  avgPoolForward(x: Float32Array, n: number, c: number, h: number, w: number, k: number, y: Float32Array): number;
  avgPoolBackward(dy: Float32Array, n: number, c: number, h: number, w: number, k: number, dx: Float32Array): void;
  lifForward(
    current: Float32Array, steps: number, size: number, leak: number, threshold: number,
    constantCurrent: boolean, spikes: Float32Array,
  ): number;
  /** ...surrogate: the kind's index in SURROGATE_KINDS, gamma, width */
  lifBackward(
    current: Float32Array, gradSpikes: Float32Array, steps: number, size: number, leak: number, threshold: number,
    constantCurrent: boolean, kind: number, gamma: number, surrogateWidth: number, gradCurrent: Float32Array,
  ): [number, number, number];
  lifForwardPooled(
    current: Float32Array, steps: number, size: number, leak: number, threshold: number,
    constantCurrent: boolean, pooled: Float32Array, width: number,
  ): [number, number];
  lifBackwardPooled(
    current: Float32Array, gradPooled: Float32Array, steps: number, size: number, leak: number, threshold: number,
    constantCurrent: boolean, kind: number, gamma: number, surrogateWidth: number, gradCurrent: Float32Array, width: number,
  ): [number, number, number];
}

/** optimizer state buffers must match the parameter exactly (the addon checks only "at least") */
function checkLengths(what: string, len: number, ...bufs: (Float32Array | null)[]): void {
  for (const b of bufs) {
    if (b && b.length !== len) throw new RangeError(`${what}: buffer of ${b.length} values for a parameter of ${len}`);
  }
}

/** the backward's LIF arguments: (steps, size, leak, threshold, constantCurrent, kind index, gamma, width) */
function lifBackwardArgs(p: LifParams): [number, number, number, number, boolean, number, number, number] {
  checkSurrogate(p.surrogate);
  const s = p.surrogate;
  return [p.steps, p.size, p.leak, p.threshold, p.constantCurrent, SURROGATE_KINDS.indexOf(s.kind), s.gamma, s.width];
}

function shapeArgs(s: ConvShape): number[] {
  return [s.n, s.cIn, s.h, s.w, s.cOut, s.kh, s.kw, s.stride, s.pad];
}

export class NativeBackend implements Backend {
  readonly name = 'native' as const;

  constructor(readonly addon: NativeAddon, readonly addonPath: string) {}

  info(): BackendInfo {
    const i = this.addon.info();
    return {
      name: 'native',
      threads: i.threads,
      details: {
        oneDNN: i.dnnlVersion,
        isa: i.isa,
        ompThreads: String(i.threads),
        cpus: String(i.procs),
        convLayout: i.convLayout,
        mallocTuned: String(i.mallocTuned),
        addon: this.addonPath,
      },
    };
  }

  conv2dForward(x: Float32Array, weight: Float32Array, s: ConvShape, y: Float32Array): void {
    this.addon.conv2dForward(x, weight, y, ...shapeArgs(s));
  }

  conv2dForwardSparse(x: Float32Array, weight: Float32Array, s: ConvShape, y: Float32Array): void {
    this.addon.conv2dForwardSparse(x, weight, y, ...shapeArgs(s));
  }

  countNonzero(x: Float32Array): number {
    return this.addon.countNonzero(x);
  }

  conv2dBackwardWeightsSparse(x: Float32Array, dy: Float32Array, s: ConvShape, dw: Float32Array): void {
    this.addon.conv2dBackwardWeightsSparse(x, dy, dw, ...shapeArgs(s));
  }

  conv2dBackwardDataSparse(dy: Float32Array, weight: Float32Array, s: ConvShape, dx: Float32Array): void {
    this.addon.conv2dBackwardDataSparse(dy, weight, dx, ...shapeArgs(s));
  }

  mulRepeated(x: Float32Array, mask: Float32Array, y: Float32Array): void {
    this.addon.mulRepeated(x, mask, y);
  }

  adamStep(
    param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array,
    maxExpAvgSq: Float32Array | null, h: AdamHyper,
  ): void {
    checkLengths('adamStep', param.length, grad, expAvg, expAvgSq, maxExpAvgSq);
    this.addon.adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.step);
  }

  sgdStep(param: Float32Array, grad: Float32Array, momentumBuf: Float32Array | null, h: SgdHyper): void {
    checkLengths('sgdStep', param.length, grad, momentumBuf);
    this.addon.sgdStep(param, grad, momentumBuf, h.lr, h.momentum, h.weightDecay, h.nesterov, h.firstStep);
  }

  conv2dBackwardData(dy: Float32Array, weight: Float32Array, s: ConvShape, dx: Float32Array): void {
    this.addon.conv2dBackwardData(dy, weight, dx, ...shapeArgs(s));
  }

  conv2dBackwardWeights(x: Float32Array, dy: Float32Array, s: ConvShape, dw: Float32Array): void {
    this.addon.conv2dBackwardWeights(x, dy, dw, ...shapeArgs(s));
  }

  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
  ): void {
    this.addon.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
  }

  linearForwardSparse(x: Float32Array, weight: Float32Array, n: number, inF: number, outF: number, y: Float32Array): void {
    this.addon.linearForwardSparse(x, weight, y, n, inF, outF);
  }

  linearBackwardWeightsSparse(x: Float32Array, dy: Float32Array, n: number, inF: number, outF: number, dw: Float32Array): void {
    this.addon.linearBackwardWeightsSparse(x, dy, dw, n, inF, outF);
  }

  linearBackwardDataSparse(dy: Float32Array, weight: Float32Array, n: number, inF: number, outF: number, dx: Float32Array): void {
    this.addon.linearBackwardDataSparse(dy, weight, dx, n, inF, outF);
  }

  avgPoolForward(x: Float32Array, n: number, c: number, h: number, w: number, k: number, y: Float32Array): number {
    return this.addon.avgPoolForward(x, n, c, h, w, k, y);
  }

  avgPoolBackward(dy: Float32Array, n: number, c: number, h: number, w: number, k: number, dx: Float32Array): void {
    this.addon.avgPoolBackward(dy, n, c, h, w, k, dx);
  }

  lifForward(current: Float32Array, p: LifParams, spikes: Float32Array): number {
    return this.addon.lifForward(current, p.steps, p.size, p.leak, p.threshold, p.constantCurrent, spikes);
  }

  lifBackward(current: Float32Array, gradSpikes: Float32Array, p: LifParams, gradCurrent: Float32Array): LifGrads {
    const [gradLeak, gradThreshold, gradCurrentNonzero] = this.addon.lifBackward(current, gradSpikes, ...lifBackwardArgs(p), gradCurrent);
    return { gradLeak, gradThreshold, gradCurrentNonzero };
  }

  lifForwardPooled(current: Float32Array, p: LifParams, width: number, pooled: Float32Array): LifPooledCounts {
    const [spikes, pooledNonzero] = this.addon.lifForwardPooled(
      current, p.steps, p.size, p.leak, p.threshold, p.constantCurrent, pooled, width,
    );
    return { spikes, pooledNonzero };
  }

  lifBackwardPooled(current: Float32Array, gradPooled: Float32Array, p: LifParams, width: number, gradCurrent: Float32Array): LifGrads {
    const [gradLeak, gradThreshold, gradCurrentNonzero] = this.addon.lifBackwardPooled(
      current, gradPooled, ...lifBackwardArgs(p), gradCurrent, width,
    );
    return { gradLeak, gradThreshold, gradCurrentNonzero };
  }
}

/** the directory of the hire-snn package (walks up from this module: src/kernels or dist/src/kernels) */
export function packageRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (true) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
        if (name === 'hire-snn') return dir;
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const REQUIRED: readonly (keyof NativeAddon)[] = [
  'info', 'cacheStats', 'clearCaches', 'convLayout', 'conv2dForward', 'conv2dForwardSparse', 'conv2dBackwardWeightsSparse', 'conv2dBackwardDataSparse', 'linearForwardSparse', 'linearBackwardWeightsSparse', 'linearBackwardDataSparse', 'mulRepeated', 'adamStep', 'sgdStep', 'countNonzero', 'conv2dBackwardData',
  'conv2dBackwardWeights', 'gemm', 'avgPoolForward', 'avgPoolBackward', 'lifForward', 'lifBackward', 'lifForwardPooled', 'lifBackwardPooled',
];

let cached: { backend?: NativeBackend; reason?: string } | undefined;

function load(): { backend?: NativeBackend; reason?: string } {
  const root = packageRoot();
  if (!root) return { reason: 'hire-snn package root not found' };
  const file = path.join(root, 'build', 'Release', 'hire_snn.node');
  if (!existsSync(file)) return { reason: 'not built (npm rebuild hire-snn after apt-get install libdnnl-dev)' };
  try {
    const require = createRequire(import.meta.url);
    const addon = require(file) as Partial<NativeAddon>;
    const missing = REQUIRED.filter((k) => typeof addon[k] !== 'function');
    if (missing.length > 0) return { reason: `${file} is stale (missing ${missing.join(', ')}); rebuild it` };
    const backend = new NativeBackend(addon as NativeAddon, file);
    backend.info(); // touches oneDNN once so a broken library shows up here
    return { backend };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { reason: `cannot load ${file}: ${msg.split('\n')[0]}` };
  }
}

export function loadNativeBackend(): { backend?: Backend; reason?: string } {
  cached ??= load();
  return cached;
}
