/**
 * Dense (oneDNN) vs event-driven kernels on the VGG11 layer shapes at T*B = 256 images, across
 * densities (binary spikes for inputs; masked float gradients for backward-data): the conv
 * forward, grad-weight and backward-data, the classifier's linear forward, grad-weight and
 * backward-data. Per density the two kernels run interleaved and the best of --reps runs of
 * each is kept (so a busy machine slows both alike); each row ends with its crossover, the
 * density up to which the event-driven kernel wins: the tables in src/tensor/ops/crossover.ts.
 * Run it once per kernel ISA (HIRE_SNN_ISA=avx2 for the AVX2 path).
 *   node --import tsx bench/sparse.ts [--n 256] [--reps 3] [--kernel forward|weights|both|linear|data|all]
 */
import { convOutSize, getBackend, type ConvShape } from '../src/kernels/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const n = Number(arg('n', '256'));
const reps = Number(arg('reps', '3'));
const kernel = arg('kernel', 'both');
const be = getBackend();
const DENSITIES = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6];
const want = (k: string): boolean => kernel === k || kernel === 'all' || (kernel === 'both' && (k === 'forward' || k === 'weights' || k === 'linear'));

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** best times of the two kernels, run alternately after one warm-up each */
function race(dense: () => void, sparse: () => void): [number, number] {
  dense();
  sparse();
  let d = Infinity;
  let s = Infinity;
  for (let r = 0; r < reps; r++) {
    d = Math.min(d, time(dense));
    s = Math.min(s, time(sparse));
  }
  return [d, s];
}

/** one row: sparse / dense time per density and the crossover (interpolated where the ratio first passes 1) */
function row(name: string, fill: (d: number) => void, dense: () => void, sparse: () => void): void {
  const ratios = DENSITIES.map((d) => {
    fill(d);
    const [td, ts] = race(dense, sparse);
    return ts / td;
  });
  const i = ratios.findIndex((r) => r > 1);
  const cross = i < 0 ? `>= ${DENSITIES[DENSITIES.length - 1]}` : i === 0 ? `< ${DENSITIES[0]}`
    : (DENSITIES[i - 1] + ((1 - ratios[i - 1]) / (ratios[i] - ratios[i - 1])) * (DENSITIES[i] - DENSITIES[i - 1])).toFixed(2);
  const cols = DENSITIES.map((d, j) => `${(d * 100).toFixed(0)}%: ${ratios[j].toFixed(2)}`);
  console.log(`${name}: sparse/dense ${cols.join(' ')}; crossover ${cross}`);
}

const random = (len: number): Float32Array => new Float32Array(len).map(() => Math.random() - 0.5);
const spikes = (x: Float32Array, d: number): void => {
  for (let i = 0; i < x.length; i++) x[i] = Math.random() < d ? 1 : 0;
};
const masked = (g: Float32Array, d: number): void => {
  for (let i = 0; i < g.length; i++) g[i] = Math.random() < d ? Math.random() - 0.5 : 0;
};

console.log(`backend ${be.name}, ISA ${be.info().details.isa ?? 'n/a'}, T*B = ${n}, best of ${reps} interleaved runs`);
const layers: [string, number, number, number][] = [
  ['conv3 64->128 @16', 64, 128, 16], ['conv6 128->256 @16', 128, 256, 16],
  ['conv12 512->512 @8', 512, 512, 8], ['conv18 512->512 @4', 512, 512, 4],
];
for (const [name, cIn, cOut, hw] of layers) {
  const s: ConvShape = { n, cIn, h: hw, w: hw, cOut, kh: 3, kw: 3, stride: 1, pad: 1 };
  const { oh, ow } = convOutSize(s);
  const w = random(cOut * cIn * 9);
  const y = random(n * cOut * oh * ow);
  const x = new Float32Array(n * cIn * hw * hw);
  if (want('forward')) row(`${name} forward`, (d) => spikes(x, d), () => be.conv2dForward(x, w, s, y), () => be.conv2dForwardSparse(x, w, s, y));
  if (want('weights')) {
    row(`${name} grad-weight`, (d) => spikes(x, d), () => be.conv2dBackwardWeights(x, y, s, w), () => be.conv2dBackwardWeightsSparse(x, y, s, w));
  }
  if (want('data')) {
    const gy = new Float32Array(n * cOut * oh * ow);
    row(`${name} backward-data`, (d) => masked(gy, d), () => be.conv2dBackwardData(gy, w, s, x), () => be.conv2dBackwardDataSparse(gy, w, s, x));
  }
}

// the classifier: forward and grad-weight on spike inputs, backward-data on masked gradients
for (const [inF, outF] of want('linear') ? [[8192, 4096], [4096, 4096]] : []) {
  const x = new Float32Array(n * inF);
  const dy = random(n * outF);
  const w = random(outF * inF);
  const dw = new Float32Array(outF * inF);
  const y = new Float32Array(n * outF);
  const name = `linear ${inF}->${outF}`;
  row(`${name} forward`, (d) => spikes(x, d), () => be.gemm(false, true, n, outF, inF, 1, x, w, 0, y), () => be.linearForwardSparse(x, w, n, inF, outF, y));
  row(`${name} grad-weight`, (d) => spikes(x, d), () => be.gemm(true, false, outF, inF, n, 1, dy, x, 0, dw), () => be.linearBackwardWeightsSparse(x, dy, n, inF, outF, dw));
  const g = new Float32Array(n * outF);
  row(`${name} backward-data`, (d) => masked(g, d), () => be.gemm(false, false, n, inF, outF, 1, g, w, 0, x), () => be.linearBackwardDataSparse(g, w, n, inF, outF, x));
}
