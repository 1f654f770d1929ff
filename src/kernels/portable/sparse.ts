/**
 * Event-driven convolution for mostly-zero inputs (spikes, pooled spikes): every nonzero
 * input x[n, c, iy, ix] scatters v * w[:, c, ky, kx] into the outputs it reaches. Work is
 * proportional to the nonzero count; the result equals the dense conv up to summation order.
 */
import { type ConvShape, convOutSize } from '../backend.js';

export function countNonzero(x: Float32Array): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) n++;
  return n;
}

/**
 * The event loop both kernels share, for image b: for each nonzero x[b, c, iy, ix] = v and each
 * tap (ky, kx) that reaches an output (oy, ox), with pos = (oy * ow + ox) * cOut and
 * tap = ((ky * kw + kx) * cIn + c) * cOut, for o < cOut: `intoPos` adds v * byTap[tap + o] to
 * byPos[pos + o] (the forward: byTap the weights), else v * byPos[pos + o] to byTap[tap + o]
 * (the grad-weight: byPos dy).
 */
function scatterEvents(
  x: Float32Array, b: number, s: ConvShape, oh: number, ow: number,
  byPos: Float32Array | Float64Array, byTap: Float32Array | Float64Array, intoPos: boolean,
): void {
  const { cIn, h, w, cOut, kh, kw, stride, pad } = s;
  const plane = h * w;
  for (let c = 0; c < cIn; c++) {
    const xc = (b * cIn + c) * plane;
    for (let iy = 0; iy < h; iy++) {
      for (let ix = 0; ix < w; ix++) {
        const v = x[xc + iy * w + ix];
        if (v === 0) continue;
        for (let ky = 0; ky < kh; ky++) {
          const ny = iy + pad - ky;
          if (ny < 0 || ny % stride !== 0) continue;
          const oy = ny / stride;
          if (oy >= oh) continue;
          for (let kx = 0; kx < kw; kx++) {
            const nx = ix + pad - kx;
            if (nx < 0 || nx % stride !== 0) continue;
            const ox = nx / stride;
            if (ox >= ow) continue;
            const tap = ((ky * kw + kx) * cIn + c) * cOut;
            const pos = (oy * ow + ox) * cOut;
            if (intoPos) for (let o = 0; o < cOut; o++) byPos[pos + o] += v * byTap[tap + o];
            else for (let o = 0; o < cOut; o++) byTap[tap + o] += v * byPos[pos + o];
          }
        }
      }
    }
  }
}

export function conv2dForwardSparse(x: Float32Array, weight: Float32Array, s: ConvShape, y: Float32Array): void {
  const { oh, ow } = convOutSize(s);
  const { n, cIn, cOut, kh, kw } = s;
  const oplane = oh * ow;
  const taps = kh * kw;
  y.fill(0, 0, n * cOut * oplane);
  // wt[tap][c][o]: the weights an input event scatters, contiguous over output channels
  const wt = new Float32Array(taps * cIn * cOut);
  for (let o = 0; o < cOut; o++) {
    for (let c = 0; c < cIn; c++) {
      for (let t = 0; t < taps; t++) wt[(t * cIn + c) * cOut + o] = weight[(o * cIn + c) * taps + t];
    }
  }
  // accumulate per image in [oy, ox, o] order, then transpose into y
  const acc = new Float64Array(oplane * cOut);
  for (let b = 0; b < n; b++) {
    acc.fill(0);
    scatterEvents(x, b, s, oh, ow, acc, wt, true);
    const yb = b * cOut * oplane;
    for (let p = 0; p < oplane; p++) {
      for (let o = 0; o < cOut; o++) y[yb + o * oplane + p] = acc[p * cOut + o];
    }
  }
}

/**
 * Event-driven grad-weight: every nonzero x[n, c, iy, ix] = v adds v * dy[n, :, oy, ox] to
 * dw[:, c, ky, kx] for each tap that reached an output. dy is read transposed ([oy, ox, o]
 * per image) so an event's update is contiguous over output channels.
 */
export function conv2dBackwardWeightsSparse(x: Float32Array, dy: Float32Array, s: ConvShape, dw: Float32Array): void {
  const { oh, ow } = convOutSize(s);
  const { n, cIn, cOut, kh, kw } = s;
  const oplane = oh * ow;
  const taps = kh * kw;
  const acc = new Float64Array(taps * cIn * cOut); // [tap][c][o]
  const dyt = new Float32Array(oplane * cOut);
  for (let b = 0; b < n; b++) {
    const db = b * cOut * oplane;
    for (let o = 0; o < cOut; o++) {
      for (let p = 0; p < oplane; p++) dyt[p * cOut + o] = dy[db + o * oplane + p];
    }
    scatterEvents(x, b, s, oh, ow, dyt, acc, false);
  }
  for (let o = 0; o < cOut; o++) {
    for (let c = 0; c < cIn; c++) {
      for (let t = 0; t < taps; t++) dw[(o * cIn + c) * taps + t] = acc[(t * cIn + c) * cOut + o];
    }
  }
}

/** dx from dy, event-driven in dy: each nonzero dy[b, o, oy, ox] = v adds v * W[o, :, tap] to the inputs under the taps */
export function conv2dBackwardDataSparse(dy: Float32Array, weight: Float32Array, s: ConvShape, dx: Float32Array): void {
  const { oh, ow } = convOutSize(s);
  const { n, cIn, h, w, cOut, kh, kw, stride, pad } = s;
  if (stride !== 1 || kh !== kw || pad > kh - 1) throw new RangeError('conv2dBackwardDataSparse: needs stride 1, a square kernel and pad < kernel');
  const plane = h * w;
  const taps = kh * kw;
  const acc = new Float64Array(cIn * plane);
  for (let b = 0; b < n; b++) {
    acc.fill(0);
    for (let o = 0; o < cOut; o++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const v = dy[((b * cOut + o) * oh + oy) * ow + ox];
          if (v === 0) continue;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy - pad + ky;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox - pad + kx;
              if (ix < 0 || ix >= w) continue;
              const p = iy * w + ix;
              for (let c = 0; c < cIn; c++) acc[c * plane + p] += v * weight[(o * cIn + c) * taps + ky * kw + kx];
            }
          }
        }
      }
    }
    for (let i = 0; i < cIn * plane; i++) dx[b * cIn * plane + i] = acc[i];
  }
}

/** y[n, outF] = x W^T, event-driven in x: each row sums the weight columns of its nonzero inputs */
export function linearForwardSparse(
  x: Float32Array, weight: Float32Array, n: number, inF: number, outF: number, y: Float32Array,
): void {
  const idx = new Int32Array(inF);
  const val = new Float64Array(inF);
  for (let r = 0; r < n; r++) {
    let count = 0;
    for (let i = 0; i < inF; i++) {
      const v = x[r * inF + i];
      if (v !== 0) {
        idx[count] = i;
        val[count++] = v;
      }
    }
    for (let o = 0; o < outF; o++) {
      const wo = o * inF;
      let sum = 0;
      for (let e = 0; e < count; e++) sum += val[e] * weight[wo + idx[e]];
      y[r * outF + o] = sum;
    }
  }
}

/** dx[n, inF] = dy W, event-driven in dy: each nonzero dy[r, o] = v adds v * W[o, :] to row r */
export function linearBackwardDataSparse(
  dy: Float32Array, weight: Float32Array, n: number, inF: number, outF: number, dx: Float32Array,
): void {
  const acc = new Float64Array(inF);
  for (let r = 0; r < n; r++) {
    acc.fill(0);
    for (let o = 0; o < outF; o++) {
      const v = dy[r * outF + o];
      if (v === 0) continue;
      const wo = o * inF;
      for (let i = 0; i < inF; i++) acc[i] += v * weight[wo + i];
    }
    for (let i = 0; i < inF; i++) dx[r * inF + i] = acc[i];
  }
}

/** dw[outF, inF] = dy^T x, event-driven in x: each nonzero x[r, i] = v adds v * dy[r, :] to column i */
export function linearBackwardWeightsSparse(
  x: Float32Array, dy: Float32Array, n: number, inF: number, outF: number, dw: Float32Array,
): void {
  const acc = new Float64Array(inF * outF); // [i][o]
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < inF; i++) {
      const v = x[r * inF + i];
      if (v === 0) continue;
      const a = i * outF;
      const d = r * outF;
      for (let o = 0; o < outF; o++) acc[a + o] += v * dy[d + o];
    }
  }
  for (let o = 0; o < outF; o++) {
    for (let i = 0; i < inF; i++) dw[o * inF + i] = acc[i * outF + o];
  }
}
