/**
 * Dense (oneDNN) vs event-driven conv forward and grad-weight on the VGG11 layer shapes at
 * T*B = 256 images, and the classifier's linear forward, grad-weight and backward-data, across
 * input densities (binary spikes; masked float gradients for backward-data): where the sparse kernels pay.
 *   node --import tsx bench/sparse.ts [--n 256] [--reps 3] [--kernel forward|weights|both|linear|data]
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

function best(fn: () => void): number {
  fn();
  let b = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

const layers: [string, number, number, number][] = [
  ['conv3 64->128 @16', 64, 128, 16], ['conv6 128->256 @16', 128, 256, 16],
  ['conv12 512->512 @8', 512, 512, 8], ['conv18 512->512 @4', 512, 512, 4],
];
for (const [name, cIn, cOut, hw] of kernel === 'linear' ? [] : layers) {
  const s: ConvShape = { n, cIn, h: hw, w: hw, cOut, kh: 3, kw: 3, stride: 1, pad: 1 };
  const { oh, ow } = convOutSize(s);
  const w = new Float32Array(cOut * cIn * 9).map(() => Math.random() - 0.5);
  const y = new Float32Array(n * cOut * oh * ow).map(() => Math.random() - 0.5);
  const x = new Float32Array(n * (kernel === 'data' ? cOut : cIn) * hw * hw);
  const kernels: [string, () => void, () => void][] = [];
  if (kernel !== 'weights' && kernel !== 'data') kernels.push(['forward', () => be.conv2dForward(x, w, s, y), () => be.conv2dForwardSparse(x, w, s, y)]);
  if (kernel !== 'forward' && kernel !== 'data') {
    kernels.push(['grad-weight', () => be.conv2dBackwardWeights(x, y, s, w), () => be.conv2dBackwardWeightsSparse(x, y, s, w)]);
  }
  if (kernel === 'data') {
    // backward-data: x plays the masked output gradient (cOut channels), y the input gradient
    const t: ConvShape = { ...s, cIn: cOut, cOut: cIn };
    const gx = new Float32Array(n * cIn * hw * hw);
    kernels.push(['backward-data', () => be.conv2dBackwardData(x, w, s, gx), () => be.conv2dForwardSparse(x, w, t, gx)]);
  }
  for (const [what, denseFn, sparseFn] of kernels) {
    const dense = best(denseFn);
    const cols = [`${name} ${what}: dense ${dense.toFixed(0)} ms`];
    for (const d of [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6]) {
      for (let i = 0; i < x.length; i++) x[i] = Math.random() < d ? (what === 'backward-data' ? Math.random() - 0.5 : 1) : 0;
      cols.push(`${(d * 100).toFixed(0)}%: ${best(sparseFn).toFixed(0)}`);
    }
    console.log(cols.join('  '));
  }
}

// the classifier's grad-weight (spike inputs): dense gemm vs event-driven
for (const [inF, outF] of kernel === "linear" || kernel === "both" ? [[8192, 4096], [4096, 4096]] : []) {
  const x = new Float32Array(n * inF);
  const dy = new Float32Array(n * outF).map(() => Math.random() - 0.5);
  const dw = new Float32Array(outF * inF);
  const w = new Float32Array(outF * inF).map(() => Math.random() - 0.5);
  const y = new Float32Array(n * outF);
  const denseFwd = best(() => be.gemm(false, true, n, outF, inF, 1, x, w, 0, y));
  const fwd = [`linear ${inF}->${outF} forward: dense ${denseFwd.toFixed(0)} ms`];
  for (const d of [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6]) {
    for (let i = 0; i < x.length; i++) x[i] = Math.random() < d ? 1 : 0;
    fwd.push(`${(d * 100).toFixed(0)}%: ${best(() => be.linearForwardSparse(x, w, n, inF, outF, y)).toFixed(0)}`);
  }
  console.log(fwd.join('  '));
  const dense = best(() => be.gemm(true, false, outF, inF, n, 1, dy, x, 0, dw));
  const cols = [`linear ${inF}->${outF} grad-weight: dense ${dense.toFixed(0)} ms`];
  for (const d of [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6]) {
    for (let i = 0; i < x.length; i++) x[i] = Math.random() < d ? 1 : 0;
    cols.push(`${(d * 100).toFixed(0)}%: ${best(() => be.linearBackwardWeightsSparse(x, dy, n, inF, outF, dw)).toFixed(0)}`);
  }
  console.log(cols.join('  '));
  // backward-data: dx = dy W with dy zero where the surrogate window is (float values)
  const dx = new Float32Array(n * inF);
  const g = new Float32Array(n * outF);
  const denseData = best(() => be.gemm(false, false, n, inF, outF, 1, g, w, 0, dx));
  const data = [`linear ${inF}->${outF} backward-data: dense ${denseData.toFixed(0)} ms`];
  for (const d of [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6]) {
    for (let i = 0; i < g.length; i++) g[i] = Math.random() < d ? Math.random() - 0.5 : 0;
    data.push(`${(d * 100).toFixed(0)}%: ${best(() => be.linearBackwardDataSparse(g, w, n, inF, outF, dx)).toFixed(0)}`);
  }
  console.log(data.join('  '));
}
