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
      packPanelB(transB, b, bOff, ldb, pc, kc, jc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanelA(transA, a, aOff, lda, ic, mc, pc, kc);
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

/** packB[q][p][jj] = op(B)[pc + p, jc + q*NR + jj], zero-padded to a multiple of NR columns */
function packPanelB(
  transB: boolean, b: Float32Array, bOff: number, ldb: number,
  pc: number, kc: number, jc: number, nc: number,
): void {
  const panels = Math.ceil(nc / NR);
  const need = panels * NR * kc;
  if (packB.length < need) packB = new Float64Array(need);
  const pb = packB;
  for (let q = 0; q < panels; q++) {
    const j0 = jc + q * NR;
    const cols = Math.min(NR, jc + nc - j0);
    let dst = q * NR * kc;
    if (!transB) {
      let src = bOff + pc * ldb + j0;
      if (cols === NR) {
        for (let p = 0; p < kc; p++, src += ldb, dst += NR) {
          pb[dst] = b[src]; pb[dst + 1] = b[src + 1]; pb[dst + 2] = b[src + 2]; pb[dst + 3] = b[src + 3];
        }
      } else {
        for (let p = 0; p < kc; p++, src += ldb, dst += NR) {
          for (let jj = 0; jj < NR; jj++) pb[dst + jj] = jj < cols ? b[src + jj] : 0;
        }
      }
    } else {
      // B stored [n, k]: op(B)[p, j] = b[j * ldb + p]
      for (let jj = 0; jj < NR; jj++) {
        let d = dst + jj;
        if (jj < cols) {
          let src = bOff + (j0 + jj) * ldb + pc;
          for (let p = 0; p < kc; p++, d += NR) pb[d] = b[src++];
        } else {
          for (let p = 0; p < kc; p++, d += NR) pb[d] = 0;
        }
      }
    }
  }
}

/** packA[r][p][ii] = op(A)[ic + r*MR + ii, pc + p], zero-padded to a multiple of MR rows */
function packPanelA(
  transA: boolean, a: Float32Array, aOff: number, lda: number,
  ic: number, mc: number, pc: number, kc: number,
): void {
  const panels = Math.ceil(mc / MR);
  const need = panels * MR * kc;
  if (packA.length < need) packA = new Float64Array(need);
  const pa = packA;
  for (let r = 0; r < panels; r++) {
    const i0 = ic + r * MR;
    const rows = Math.min(MR, ic + mc - i0);
    let dst = r * MR * kc;
    if (transA) {
      // A stored [k, m]: op(A)[i, p] = a[p * lda + i]
      let src = aOff + pc * lda + i0;
      if (rows === MR) {
        for (let p = 0; p < kc; p++, src += lda, dst += MR) {
          pa[dst] = a[src]; pa[dst + 1] = a[src + 1]; pa[dst + 2] = a[src + 2]; pa[dst + 3] = a[src + 3];
        }
      } else {
        for (let p = 0; p < kc; p++, src += lda, dst += MR) {
          for (let ii = 0; ii < MR; ii++) pa[dst + ii] = ii < rows ? a[src + ii] : 0;
        }
      }
    } else {
      for (let ii = 0; ii < MR; ii++) {
        let d = dst + ii;
        if (ii < rows) {
          let src = aOff + (i0 + ii) * lda + pc;
          for (let p = 0; p < kc; p++, d += MR) pa[d] = a[src++];
        } else {
          for (let p = 0; p < kc; p++, d += MR) pa[d] = 0;
        }
      }
    }
  }
}

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
      const ci = cOff + ir * ldc + jr;
      if (rows === MR && cols === NR) {
        microKernel(kc, pa, ia, pb, ib, alpha, c, ci, ldc);
      } else {
        microKernel4x4To(kc, pa, ia, pb, ib, edge);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) c[ci + i * ldc + j] += alpha * edge[i * NR + j];
        }
      }
    }
  }
}

function microKernel(
  kc: number, pa: Float64Array, ia: number, pb: Float64Array, ib: number,
  alpha: number, c: Float32Array, ci: number, ldc: number,
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
  c[ci] += alpha * c00; c[ci + 1] += alpha * c01; c[ci + 2] += alpha * c02; c[ci + 3] += alpha * c03;
  ci += ldc;
  c[ci] += alpha * c10; c[ci + 1] += alpha * c11; c[ci + 2] += alpha * c12; c[ci + 3] += alpha * c13;
  ci += ldc;
  c[ci] += alpha * c20; c[ci + 1] += alpha * c21; c[ci + 2] += alpha * c22; c[ci + 3] += alpha * c23;
  ci += ldc;
  c[ci] += alpha * c30; c[ci + 1] += alpha * c31; c[ci + 2] += alpha * c32; c[ci + 3] += alpha * c33;
}

/** edge tiles: the full 4x4 product into `out` (padded rows/cols are zero and discarded) */
function microKernel4x4To(kc: number, pa: Float64Array, ia: number, pb: Float64Array, ib: number, out: Float64Array): void {
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
  out[0] = c00; out[1] = c01; out[2] = c02; out[3] = c03;
  out[4] = c10; out[5] = c11; out[6] = c12; out[7] = c13;
  out[8] = c20; out[9] = c21; out[10] = c22; out[11] = c23;
  out[12] = c30; out[13] = c31; out[14] = c32; out[15] = c33;
}
