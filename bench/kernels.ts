/**
 * GFLOP/s of the native backend's conv (fwd / bwd-data / bwd-weights) and GEMM.
 *   node --import tsx bench/kernels.ts [--layout plain|blocked|auto|all] [--reps N] [--n N]
 */
import { performance } from 'node:perf_hooks';
import type { ConvShape } from '../src/kernels/backend.js';
import { convOutSize } from '../src/kernels/backend.js';
import { loadNativeBackend, type ConvLayoutMode, type NativeBackend } from '../src/kernels/native.js';
import { TRAINING_SURROGATE } from '../src/snn/lif.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function random(len: number): Float32Array {
  const a = new Float32Array(len);
  for (let i = 0; i < len; i++) a[i] = Math.random() - 0.5;
  return a;
}

/** best-of-reps seconds for fn (after one warm-up call) */
function time(fn: () => void, reps: number): number {
  fn();
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

function fmt(flops: number, sec: number): string {
  return `${(flops / sec / 1e9).toFixed(1).padStart(7)} GFLOP/s (${(sec * 1000).toFixed(1)} ms)`;
}

function benchConv(b: NativeBackend, label: string, s: ConvShape, reps: number): void {
  const { oh, ow } = convOutSize(s);
  const x = random(s.n * s.cIn * s.h * s.w);
  const w = random(s.cOut * s.cIn * s.kh * s.kw);
  const y = new Float32Array(s.n * s.cOut * oh * ow);
  const dy = random(y.length);
  const dx = new Float32Array(x.length);
  const dw = new Float32Array(w.length);
  const flops = 2 * s.n * s.cOut * oh * ow * s.cIn * s.kh * s.kw;
  const fwd = time(() => b.conv2dForward(x, w, s, y), reps);
  const bwdD = time(() => b.conv2dBackwardData(dy, w, s, dx), reps);
  const bwdW = time(() => b.conv2dBackwardWeights(x, dy, s, dw), reps);
  console.log(`  ${label}`);
  console.log(`    fwd       ${fmt(flops, fwd)}`);
  console.log(`    bwd-data  ${fmt(flops, bwdD)}`);
  console.log(`    bwd-wei   ${fmt(flops, bwdW)}`);
}

function benchGemm(b: NativeBackend, tA: boolean, tB: boolean, m: number, n: number, k: number, reps: number): void {
  const a = random(m * k);
  const bb = random(k * n);
  const c = new Float32Array(m * n);
  const sec = time(() => b.gemm(tA, tB, m, n, k, 1, a, bb, 0, c), reps);
  const op = `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;
  console.log(`  gemm ${op} m=${m} n=${n} k=${k}: ${fmt(2 * m * n * k, sec)}`);
}

/** LIF scan and pooling are memory-bound: report GB/s of the buffers they touch */
function benchLifPool(b: NativeBackend, reps: number): void {
  const steps = 5;
  const size = 64 * 128 * 16 * 16;
  const p = { steps, size, leak: 0.95, threshold: 1, surrogate: TRAINING_SURROGATE, constantCurrent: false };
  const current = random(steps * size);
  for (let i = 0; i < current.length; i++) current[i] += 0.5;
  const spikes = new Float32Array(steps * size);
  const gradSpikes = random(steps * size);
  const gradCurrent = new Float32Array(steps * size);
  const fwd = time(() => b.lifForward(current, p, spikes), reps);
  const bwd = time(() => b.lifBackward(current, gradSpikes, p, gradCurrent), reps);
  const mb = (steps * size * 4) / 1e9;
  console.log(`  lif steps=${steps} size=${size}: fwd ${(fwd * 1000).toFixed(1)} ms (${((2 * mb) / fwd).toFixed(1)} GB/s), ` +
    `bwd ${(bwd * 1000).toFixed(1)} ms (${((3 * mb) / bwd).toFixed(1)} GB/s)`);
  const [n, c, h, w] = [320, 128, 16, 16];
  const x = random(n * c * h * w);
  const y = new Float32Array(n * c * (h / 2) * (w / 2));
  const pf = time(() => b.avgPoolForward(x, n, c, h, w, 2, y), reps);
  const pb = time(() => b.avgPoolBackward(y, n, c, h, w, 2, x), reps);
  const gb = ((x.length + y.length) * 4) / 1e9;
  console.log(`  avgpool k2 ${n}x${c}x${h}x${w}: fwd ${(pf * 1000).toFixed(1)} ms (${(gb / pf).toFixed(1)} GB/s), ` +
    `bwd ${(pb * 1000).toFixed(1)} ms (${(gb / pb).toFixed(1)} GB/s)`);
}

function main(): void {
  const { backend: b, reason } = loadNativeBackend();
  if (!b) {
    console.log(`native backend not available: ${reason}`);
    return;
  }
  const reps = Number(arg('reps', '3'));
  const which = arg('layout', 'all');
  const layouts: ConvLayoutMode[] = which === 'all' ? ['plain', 'blocked', 'auto'] : [which as ConvLayoutMode];
  console.log(`native backend: ${JSON.stringify(b.info().details)}`);
  const n = Number(arg('n', '256'));
  const shapes: [string, ConvShape][] = [
    [`n=${n} 256->512 8x8 k3`, { n, cIn: 256, h: 8, w: 8, cOut: 512, kh: 3, kw: 3, stride: 1, pad: 1 }],
    [`n=${n} 64->128 32x32 k3`, { n, cIn: 64, h: 32, w: 32, cOut: 128, kh: 3, kw: 3, stride: 1, pad: 1 }],
    [`n=${n} 3->64 32x32 k3 (first layer)`, { n, cIn: 3, h: 32, w: 32, cOut: 64, kh: 3, kw: 3, stride: 1, pad: 1 }],
  ];
  const initial = b.addon.convLayout();
  for (const layout of layouts) {
    b.addon.convLayout(layout);
    console.log(`conv, ${layout} layout:`);
    for (const [label, s] of shapes) benchConv(b, label, s, reps);
  }
  b.addon.convLayout(initial);
  console.log('gemm:');
  benchGemm(b, false, false, 1024, 1024, 1024, reps);
  benchGemm(b, false, true, 256, 4096, 2048, reps);
  benchGemm(b, true, false, 2048, 4096, 256, reps);
  benchGemm(b, false, false, 256, 10, 4096, reps);
  console.log('memory-bound kernels:');
  benchLifPool(b, reps);
  console.log(`cache: ${JSON.stringify(b.addon.cacheStats())}`);
}

main();
