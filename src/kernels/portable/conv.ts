/**
 * Convolutions as im2col + GEMM. Images are processed in chunks of `nb` images whose
 * column buffer stays under COL_LIMIT floats (a single image when the image is large),
 * so memory is bounded while small deep-layer images still give reasonably wide GEMMs.
 *
 * Column layout for a chunk: col[K, nb * ohw] with K = cIn * kh * kw, row (c, ky, kx),
 * column (image, oy, ox).
 */
import { type ConvShape, convOutSize } from '../backend.js';
import { gemmEx } from './gemm.js';

const COL_LIMIT = 1 << 19;

let colBuf: Float32Array = new Float32Array(0);
let tmpBuf: Float32Array = new Float32Array(0);

function colScratch(size: number): Float32Array {
  if (colBuf.length < size) colBuf = new Float32Array(size);
  return colBuf;
}

function tmpScratch(size: number): Float32Array {
  if (tmpBuf.length < size) tmpBuf = new Float32Array(size);
  return tmpBuf;
}

interface Plan {
  oh: number;
  ow: number;
  ohw: number;
  kk: number;
  /** images per chunk */
  nb: number;
  /** 1x1, stride 1, no padding: the image itself is its column matrix */
  identity: boolean;
}

function plan(s: ConvShape): Plan {
  const { oh, ow } = convOutSize(s);
  if (oh <= 0 || ow <= 0) throw new Error(`conv2d: empty output for ${JSON.stringify(s)}`);
  const ohw = oh * ow;
  const kk = s.cIn * s.kh * s.kw;
  const perImage = Math.max(kk, s.cOut) * ohw;
  const nb = Math.max(1, Math.min(s.n, Math.floor(COL_LIMIT / perImage)));
  const identity = s.kh === 1 && s.kw === 1 && s.stride === 1 && s.pad === 0;
  return { oh, ow, ohw, kk, nb, identity };
}

/** first and one-past-last output index o with 0 <= o*stride - pad + kOff < size */
function validRange(kOff: number, stride: number, pad: number, size: number, outSize: number): [number, number] {
  const lo = Math.min(outSize, Math.max(0, Math.ceil((pad - kOff) / stride)));
  const hi = Math.min(outSize, Math.floor((size - 1 + pad - kOff) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * Between images [n0, n0 + nb) of x and their columns col[:, img*ohw ...] (ldCol = nb * ohw):
 * col = im2col(x) (zero where a tap falls in the padding), or with `adjoint` x += col2im(col)
 * (its transpose; x must be zeroed by the caller).
 */
function im2col(x: Float32Array, s: ConvShape, p: Plan, n0: number, nb: number, col: Float32Array, adjoint = false): void {
  const { h, w, kh, kw, stride, pad, cIn } = s;
  const { oh, ow, ohw } = p;
  const ldCol = nb * ohw;
  for (let img = 0; img < nb; img++) {
    const xImg = (n0 + img) * cIn * h * w;
    for (let c = 0; c < cIn; c++) {
      const xc = xImg + c * h * w;
      for (let ky = 0; ky < kh; ky++) {
        const [oy0, oy1] = validRange(ky, stride, pad, h, oh);
        for (let kx = 0; kx < kw; kx++) {
          const [ox0, ox1] = validRange(kx, stride, pad, w, ow);
          const row = ((c * kh + ky) * kw + kx) * ldCol + img * ohw;
          if (adjoint) {
            for (let oy = oy0; oy < oy1; oy++) {
              let src = row + oy * ow + ox0;
              let dst = xc + (oy * stride - pad + ky) * w + ox0 * stride - pad + kx;
              for (let ox = ox0; ox < ox1; ox++, dst += stride) x[dst] += col[src++];
            }
            continue;
          }
          col.fill(0, row, row + oy0 * ow);
          for (let oy = oy0; oy < oy1; oy++) {
            const dst = row + oy * ow;
            col.fill(0, dst, dst + ox0);
            let src = xc + (oy * stride - pad + ky) * w + ox0 * stride - pad + kx;
            if (stride === 1) {
              col.set(x.subarray(src, src + ox1 - ox0), dst + ox0);
            } else {
              for (let ox = ox0; ox < ox1; ox++, src += stride) col[dst + ox] = x[src];
            }
            col.fill(0, dst + ox1, dst + ow);
          }
          col.fill(0, row + oy1 * ow, row + ohw);
        }
      }
    }
  }
}

/** y[n, cOut, oh, ow] = conv(x, weight) */
export function conv2dForward(x: Float32Array, weight: Float32Array, s: ConvShape, y: Float32Array): void {
  const p = plan(s);
  const { ohw, kk } = p;
  const imgIn = s.cIn * s.h * s.w;
  const imgOut = s.cOut * ohw;
  for (let n0 = 0; n0 < s.n; n0 += p.nb) {
    const nb = Math.min(p.nb, s.n - n0);
    if (nb === 1) {
      let col = x;
      let colOff = n0 * imgIn;
      if (!p.identity) {
        col = colScratch(kk * ohw);
        colOff = 0;
        im2col(x, s, p, n0, 1, col);
      }
      gemmEx(false, false, s.cOut, ohw, kk, 1, weight, 0, kk, col, colOff, ohw, 0, y, n0 * imgOut, ohw);
      continue;
    }
    const ld = nb * ohw;
    const col = colScratch(kk * ld);
    im2col(x, s, p, n0, nb, col);
    const tmp = tmpScratch(s.cOut * ld);
    gemmEx(false, false, s.cOut, ld, kk, 1, weight, 0, kk, col, 0, ld, 0, tmp, 0, ld);
    // tmp[cOut, img, ohw] -> y[img, cOut, ohw]
    for (let img = 0; img < nb; img++) {
      for (let co = 0; co < s.cOut; co++) {
        const src = co * ld + img * ohw;
        y.set(tmp.subarray(src, src + ohw), (n0 + img) * imgOut + co * ohw);
      }
    }
  }
}

/** gather dy[n0 .. n0+nb, cOut, ohw] into tmp[cOut, nb * ohw] */
function gatherDy(dy: Float32Array, s: ConvShape, p: Plan, n0: number, nb: number): Float32Array {
  const { ohw } = p;
  const ld = nb * ohw;
  const tmp = tmpScratch(s.cOut * ld);
  for (let img = 0; img < nb; img++) {
    for (let co = 0; co < s.cOut; co++) {
      const src = ((n0 + img) * s.cOut + co) * ohw;
      tmp.set(dy.subarray(src, src + ohw), co * ld + img * ohw);
    }
  }
  return tmp;
}

/** dx[n, cIn, h, w] = conv^T(dy, weight) */
export function conv2dBackwardData(dy: Float32Array, weight: Float32Array, s: ConvShape, dx: Float32Array): void {
  const p = plan(s);
  const { ohw, kk } = p;
  const imgIn = s.cIn * s.h * s.w;
  const imgOut = s.cOut * ohw;
  if (p.identity) {
    // dx_img[cIn, hw] = W^T[cIn, cOut] dy_img[cOut, hw]
    for (let n = 0; n < s.n; n++) {
      gemmEx(true, false, kk, ohw, s.cOut, 1, weight, 0, kk, dy, n * imgOut, ohw, 0, dx, n * imgIn, ohw);
    }
    return;
  }
  dx.fill(0, 0, s.n * imgIn);
  for (let n0 = 0; n0 < s.n; n0 += p.nb) {
    const nb = Math.min(p.nb, s.n - n0);
    const ld = nb * ohw;
    let src = dy;
    let srcOff = n0 * imgOut;
    if (nb > 1) {
      src = gatherDy(dy, s, p, n0, nb);
      srcOff = 0;
    }
    const col = colScratch(kk * ld);
    gemmEx(true, false, kk, ld, s.cOut, 1, weight, 0, kk, src, srcOff, ld, 0, col, 0, ld);
    im2col(dx, s, p, n0, nb, col, true);
  }
}

/** dw[cOut, cIn, kh, kw] = sum over images of dy_img (im2col x_img)^T */
export function conv2dBackwardWeights(x: Float32Array, dy: Float32Array, s: ConvShape, dw: Float32Array): void {
  const p = plan(s);
  const { ohw, kk } = p;
  const imgIn = s.cIn * s.h * s.w;
  const imgOut = s.cOut * ohw;
  if (s.n === 0) dw.fill(0, 0, s.cOut * kk);
  for (let n0 = 0; n0 < s.n; n0 += p.nb) {
    const nb = Math.min(p.nb, s.n - n0);
    const ld = nb * ohw;
    let col = x;
    let colOff = n0 * imgIn;
    if (!(p.identity && nb === 1)) {
      col = colScratch(kk * ld);
      colOff = 0;
      im2col(x, s, p, n0, nb, col);
    }
    let src = dy;
    let srcOff = n0 * imgOut;
    if (nb > 1) {
      src = gatherDy(dy, s, p, n0, nb);
      srcOff = 0;
    }
    gemmEx(false, true, s.cOut, kk, ld, 1, src, srcOff, ld, col, colOff, ld, n0 === 0 ? 0 : 1, dw, 0, kk);
  }
}
