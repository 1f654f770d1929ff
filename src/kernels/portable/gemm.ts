/**
 * Portable single-threaded SGEMM: GotoBLAS-style blocking (KC x NC panels of B, MC x KC
 * blocks of A) with a 4x4 register-tiled micro-kernel. Operands are packed into Float64Array
 * panels: V8 computes in doubles anyway, so packing to float64 removes a float32->float64
 * conversion from every load of the inner loop (and the K-block sums are exact-er).
 */

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 96;
const NC = 1024;

let packA: Float64Array = new Float64Array(0);
let packB: Float64Array = new Float64Array(0);

/** Row-major C[m, n] = alpha * op(A) op(B) + beta * C on dense (unstrided) buffers. */
export function gemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
): void {
  gemmEx(transA, transB, m, n, k, alpha, a, 0, transA ? m : k, b, 0, transB ? k : n, beta, c, 0, n);
}

/**
 * Strided GEMM. `lda`/`ldb`/`ldc` are the row lengths of the matrices as stored (so for
 * transA, A is stored [k, m] with rows of `lda`), `*Off` the offset of element (0, 0).
 */
export function gemmEx(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Float32Array, aOff: number, lda: number,
  b: Float32Array, bOff: number, ldb: number,
  beta: number, c: Float32Array, cOff: number, ldc: number,
): void {
  if (m <= 0 || n <= 0) return;
  scaleC(m, n, beta, c, cOff, ldc);
  if (alpha === 0 || k <= 0) return;

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB = packPanels(packB, NR, b, bOff, ldb, !transB, pc, kc, jc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA = packPanels(packA, MR, a, aOff, lda, transA, pc, kc, ic, mc);
        macroKernel(mc, nc, kc, alpha, c, cOff + ic * ldc + jc, ldc);
      }
    }
  }
}

function scaleC(m: number, n: number, beta: number, c: Float32Array, cOff: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = cOff + i * ldc;
    if (beta === 0) {
      c.fill(0, row, row + n); // BLAS semantics: C is not read when beta == 0
    } else {
      for (let j = row; j < row + n; j++) c[j] *= beta;
    }
  }
}

/**
 * Packs panels of `width` columns of a [kc, count] block (rows p, columns j) into
 * buf[q][p][jj] = block[p, q*width + jj], zero-padded to a multiple of `width` columns, and
 * returns buf (grown when too small). Element (p, j) of the block is
 * src[off + (p0 + p) * ld + j0 + j] when `rowMajor`, else src[off + (j0 + j) * ld + p0 + p].
 * B's panels are its columns (rowMajor unless transB); A's are its rows, so A is packed as
 * op(A)^T (rowMajor when transA).
 */
function packPanels(
  buf: Float64Array, width: number, src: Float32Array, off: number, ld: number, rowMajor: boolean,
  p0: number, kc: number, j0: number, count: number,
): Float64Array {
  const panels = Math.ceil(count / width);
  const need = panels * width * kc;
  const pk = buf.length < need ? new Float64Array(need) : buf;
  for (let q = 0; q < panels; q++) {
    const jq = j0 + q * width;
    const cols = Math.min(width, j0 + count - jq);
    let dst = q * width * kc;
    if (rowMajor) {
      let s = off + p0 * ld + jq;
      if (cols === 4 && width === 4) {
        for (let p = 0; p < kc; p++, s += ld, dst += 4) {
          pk[dst] = src[s]; pk[dst + 1] = src[s + 1]; pk[dst + 2] = src[s + 2]; pk[dst + 3] = src[s + 3];
        }
      } else {
        for (let p = 0; p < kc; p++, s += ld, dst += width) {
          for (let jj = 0; jj < width; jj++) pk[dst + jj] = jj < cols ? src[s + jj] : 0;
        }
      }
    } else {
      for (let jj = 0; jj < width; jj++) {
        let d = dst + jj;
        if (jj < cols) {
          let s = off + (jq + jj) * ld + p0;
          for (let p = 0; p < kc; p++, d += width) pk[d] = src[s++];
        } else {
          for (let p = 0; p < kc; p++, d += width) pk[d] = 0;
        }
      }
    }
  }
  return pk;
}

/** an edge tile's full 4x4 product (its padded rows/cols are zero and not stored) */
const edge = new Float64Array(MR * NR);

function macroKernel(mc: number, nc: number, kc: number, alpha: number, c: Float32Array, cOff: number, ldc: number): void {
  const pa = packA;
  const pb = packB;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    const ib = (jr / NR) * NR * kc;
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = Math.min(MR, mc - ir);
      const ia = (ir / MR) * MR * kc;
      microKernel(kc, pa, ia, pb, ib, alpha, c, cOff + ir * ldc + jr, ldc, rows, cols);
    }
  }
}

/** C[rows, cols] += alpha * the 4x4 product of packed A rows and packed B columns over kc */
function microKernel(
  kc: number, pa: Float64Array, ia: number, pb: Float64Array, ib: number,
  alpha: number, c: Float32Array, ci: number, ldc: number, rows: number, cols: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia], a1 = pa[ia + 1], a2 = pa[ia + 2], a3 = pa[ia + 3];
    let bv = pb[ib];
    c00 += a0 * bv; c10 += a1 * bv; c20 += a2 * bv; c30 += a3 * bv;
    bv = pb[ib + 1];
    c01 += a0 * bv; c11 += a1 * bv; c21 += a2 * bv; c31 += a3 * bv;
    bv = pb[ib + 2];
    c02 += a0 * bv; c12 += a1 * bv; c22 += a2 * bv; c32 += a3 * bv;
    bv = pb[ib + 3];
    c03 += a0 * bv; c13 += a1 * bv; c23 += a2 * bv; c33 += a3 * bv;
    ia += MR;
    ib += NR;
  }
  if (rows === MR && cols === NR) {
    c[ci] += alpha * c00; c[ci + 1] += alpha * c01; c[ci + 2] += alpha * c02; c[ci + 3] += alpha * c03;
    ci += ldc;
    c[ci] += alpha * c10; c[ci + 1] += alpha * c11; c[ci + 2] += alpha * c12; c[ci + 3] += alpha * c13;
    ci += ldc;
    c[ci] += alpha * c20; c[ci + 1] += alpha * c21; c[ci + 2] += alpha * c22; c[ci + 3] += alpha * c23;
    ci += ldc;
    c[ci] += alpha * c30; c[ci + 1] += alpha * c31; c[ci + 2] += alpha * c32; c[ci + 3] += alpha * c33;
    return;
  }
  edge[0] = c00; edge[1] = c01; edge[2] = c02; edge[3] = c03;
  edge[4] = c10; edge[5] = c11; edge[6] = c12; edge[7] = c13;
  edge[8] = c20; edge[9] = c21; edge[10] = c22; edge[11] = c23;
  edge[12] = c30; edge[13] = c31; edge[14] = c32; edge[15] = c33;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) c[ci + i * ldc + j] += alpha * edge[i * NR + j];
  }
}
