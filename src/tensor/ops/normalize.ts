/** Per-channel normalisation (x - mean) / std of NCHW pixels; attacks differentiate through it. */
import { Tensor, opResult, adoptGrad } from '../tensor.js';

export function normalize(x: Tensor, mean: readonly number[], std: readonly number[]): Tensor {
  const [n, c, h, w] = x.shape;
  if (mean.length !== c || std.length !== c) throw new Error(`normalize: ${c} channels but ${mean.length} means / ${std.length} stds`);
  const plane = h * w;
  const y = new Float32Array(x.size);
  // float32 arithmetic as torch does: subtract, then divide
  const m32 = Float32Array.from(mean);
  const s32 = Float32Array.from(std);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const off = (b * c + ch) * plane;
      const mu = m32[ch];
      const sd = s32[ch];
      for (let i = 0; i < plane; i++) y[off + i] = Math.fround(x.data[off + i] - mu) / sd;
    }
  }
  return opResult(y, x.shape, [x], (out) => {
    const g = out.grad!;
    const gx = new Float32Array(x.size);
    for (let b = 0; b < n; b++) {
      for (let ch = 0; ch < c; ch++) {
        const off = (b * c + ch) * plane;
        const sd = s32[ch];
        for (let i = 0; i < plane; i++) gx[off + i] = g[off + i] / sd;
      }
    }
    adoptGrad(x, gx);
  });
}
