/**
 * Naive, obviously-correct reference kernels for the backend tests (float64 throughout),
 * and a small seeded PRNG so every test is deterministic. Not used outside tests.
 */
import type { ConvShape, LifParams, Surrogate } from '../../src/kernels/index.js';
import { convOutSize } from '../../src/kernels/index.js';
import { TRAINING_SURROGATE } from '../../src/snn/lif.js';

/** mulberry32: tiny seeded PRNG, uniform in [0, 1) */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** standard normal (Box-Muller) */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Float32Array of `n` values uniform in [lo, hi) */
  array(n: number, lo = -1, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  /** Float32Array of `n` values mean + std * N(0, 1) */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }
}

// ---------------------------------------------------------------------------------- GEMM

/** C = alpha * op(A) op(B) + beta * C; C is not read when beta == 0 (BLAS convention) */
export function refGemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i] : a[i * k + p];
        const bv = transB ? b[j * k + p] : b[p * n + j];
        sum += av * bv;
      }
      out[i * n + j] = alpha * sum + (beta === 0 ? 0 : beta * c[i * n + j]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------- conv

/**
 * Every product of the conv, in one fixed order: `f(xi, wi, yi)` for each output y[yi] and each
 * x[xi] * w[wi] it sums, y[n, co, oy, ox] += x[n, ci, oy*stride - pad + ky, ox*stride - pad + kx] w[co, ci, ky, kx].
 * The forward and both backwards are this one loop (the backwards are its adjoints).
 */
function forEachConvProduct(s: ConvShape, f: (xi: number, wi: number, yi: number) => void): void {
  const { oh, ow } = convOutSize(s);
  for (let n = 0; n < s.n; n++) {
    for (let co = 0; co < s.cOut; co++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const yi = ((n * s.cOut + co) * oh + oy) * ow + ox;
          for (let ci = 0; ci < s.cIn; ci++) {
            for (let ky = 0; ky < s.kh; ky++) {
              for (let kx = 0; kx < s.kw; kx++) {
                const iy = oy * s.stride - s.pad + ky;
                const ix = ox * s.stride - s.pad + kx;
                if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
                f(((n * s.cIn + ci) * s.h + iy) * s.w + ix, ((co * s.cIn + ci) * s.kh + ky) * s.kw + kx, yi);
              }
            }
          }
        }
      }
    }
  }
}

/** y[n, co, oy, ox] = sum over ci, ky, kx of x[n, ci, oy*stride - pad + ky, ox*stride - pad + kx] w[co, ci, ky, kx] */
export function refConvForward(x: ArrayLike<number>, w: ArrayLike<number>, s: ConvShape): Float64Array {
  const { oh, ow } = convOutSize(s);
  const y = new Float64Array(s.n * s.cOut * oh * ow);
  forEachConvProduct(s, (xi, wi, yi) => { y[yi] += x[xi] * w[wi]; });
  return y;
}

/** dx = adjoint of the forward: every product x*w in the forward sends dy*w back to that x */
export function refConvBackwardData(dy: ArrayLike<number>, w: ArrayLike<number>, s: ConvShape): Float64Array {
  const dx = new Float64Array(s.n * s.cIn * s.h * s.w);
  forEachConvProduct(s, (xi, wi, yi) => { dx[xi] += dy[yi] * w[wi]; });
  return dx;
}

/** dw = sum over the batch and output positions of dy * (the x that met that weight) */
export function refConvBackwardWeights(x: ArrayLike<number>, dy: ArrayLike<number>, s: ConvShape): Float64Array {
  const dw = new Float64Array(s.cOut * s.cIn * s.kh * s.kw);
  forEachConvProduct(s, (xi, wi, yi) => { dw[wi] += dy[yi] * x[xi]; });
  return dw;
}

// ---------------------------------------------------------------------------------- pool

/** `f(xi, yi)` for each pooled output y[yi] and each x[xi] of its k x k window */
function forEachPoolWindow(n: number, c: number, h: number, w: number, k: number, f: (xi: number, yi: number) => void): void {
  const oh = Math.floor(h / k);
  const ow = Math.floor(w / k);
  for (let p = 0; p < n * c; p++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) f((p * h + oy * k + ky) * w + ox * k + kx, (p * oh + oy) * ow + ox);
        }
      }
    }
  }
}

export function refAvgPoolForward(x: ArrayLike<number>, n: number, c: number, h: number, w: number, k: number): Float64Array {
  const sum = new Float64Array(n * c * Math.floor(h / k) * Math.floor(w / k));
  forEachPoolWindow(n, c, h, w, k, (xi, yi) => { sum[yi] += x[xi]; });
  return sum.map((v) => v / (k * k));
}

export function refAvgPoolBackward(dy: ArrayLike<number>, n: number, c: number, h: number, w: number, k: number): Float64Array {
  const dx = new Float64Array(n * c * h * w);
  forEachPoolWindow(n, c, h, w, k, (xi, yi) => { dx[xi] += dy[yi] / (k * k); });
  return dx;
}

// ---------------------------------------------------------------------------------- LIF

export interface RefLifForward {
  /** s_t, [steps, size] */
  spikes: Float64Array;
  /** V_t, [steps, size] */
  v: Float64Array;
  /** U_t, [steps, size] */
  u: Float64Array;
  /** z_t = V_t / threshold - 1, [steps, size] */
  z: Float64Array;
  count: number;
}

function currentAt(current: ArrayLike<number>, p: LifParams, t: number, i: number): number {
  return p.constantCurrent ? current[i] : current[t * p.size + i];
}

/**
 * Straight from the formula in backend.ts, one neuron at a time:
 *   V_t = leak U_{t-1} + I_t,  z_t = V_t / thr - 1,  s_t = (z_t > 0),  U_t = V_t - thr s_t,  U_0 = 0.
 */
/** u0: the membrane to start from (default rest, U_0 = 0) */
export function refLifForward(current: ArrayLike<number>, p: LifParams, u0?: ArrayLike<number>): RefLifForward {
  const { steps, size, leak, threshold } = p;
  const spikes = new Float64Array(steps * size);
  const v = new Float64Array(steps * size);
  const u = new Float64Array(steps * size);
  const z = new Float64Array(steps * size);
  let count = 0;
  for (let i = 0; i < size; i++) {
    let uPrev = u0 ? u0[i] : 0;
    for (let t = 0; t < steps; t++) {
      const at = t * size + i;
      v[at] = leak * uPrev + currentAt(current, p, t, i);
      z[at] = v[at] / threshold - 1;
      spikes[at] = z[at] > 0 ? 1 : 0;
      u[at] = v[at] - threshold * spikes[at];
      count += spikes[at];
      uPrev = u[at];
    }
  }
  return { spikes, v, u, z, count };
}

export interface RefLifBackward {
  /** [steps, size], or [size] when constantCurrent */
  gradCurrent: Float64Array;
  gradLeak: number;
  gradThreshold: number;
  /** sums of |term| of the two scalar gradients, a scale for comparing them */
  gradLeakScale: number;
  gradThresholdScale: number;
}

/** test cases: one of each kind, widths and heights away from 1 so a swapped or ignored parameter shows */
export const SURROGATES: Surrogate[] = [
  TRAINING_SURROGATE,
  { kind: 'pwl', gamma: 1, width: 0.5 },
  { kind: 'exp', gamma: 0.5, width: 0.4 },
  { kind: 'sigmoid', gamma: 0.8, width: 0.3 },
  { kind: 'rect', gamma: 0.7, width: 0.6 },
  { kind: 'ste', gamma: 0.2, width: 1 },
  { kind: 'rate', gamma: 1, width: 1 },
];

/**
 * ds/dz of each surrogate, straight from its definition (backend.ts); the rate kind has none.
 * With sg the logistic function: sg'(x) = sg(x) (1 - sg(x)), so the sigmoid kind peaks at gamma.
 */
export function refSurrogate(z: number, s: Surrogate): number {
  const a = Math.abs(z) / s.width;
  switch (s.kind) {
    case 'pwl': return s.gamma * Math.max(0, 1 - a);
    case 'exp': return s.gamma * Math.exp(-a);
    case 'sigmoid': {
      const sg = 1 / (1 + Math.exp(-z / s.width));
      return 4 * s.gamma * sg * (1 - sg);
    }
    case 'rect': return Math.abs(z) < s.width ? s.gamma : 0;
    case 'ste': return s.gamma;
    case 'rate': throw new Error('the rate surrogate has no ds/dz (refLifBackwardRate)');
  }
}

/** antiderivative S of refSurrogate with S(-inf) = 0 (ste: S(0) = 0), for finite differences */
export function surrogateIntegral(z: number, s: Surrogate): number {
  const { gamma: g, width: w } = s;
  switch (s.kind) {
    case 'pwl': {
      const x = z / w;
      if (x <= -1) return 0;
      if (x <= 0) return g * w * 0.5 * (x + 1) * (x + 1);
      if (x < 1) return g * w * (1 - 0.5 * (1 - x) * (1 - x));
      return g * w;
    }
    case 'exp': return z <= 0 ? g * w * Math.exp(z / w) : g * w * (2 - Math.exp(-z / w));
    case 'sigmoid': return (4 * g * w) / (1 + Math.exp(-z / w));
    case 'rect': return g * Math.min(Math.max(z + w, 0), 2 * w);
    case 'ste': return g * z;
    case 'rate': throw new Error('the rate surrogate has no ds/dz');
  }
}

/**
 * Backward through time, derived step by step for one neuron. With L depending on the spikes,
 * going from t = steps-1 down to 0 and writing gU for dL/dU_t coming from step t+1 (0 at the end):
 *   s_t = H(z_t), replaced by the surrogate: dL/dz_t = gz = gradSpike_t * refSurrogate(z_t)
 *   U_t = V_t - thr * s_t, s_t held constant:  dU_t/dV_t = 1,  dU_t/dthr = -s_t
 *   z_t = V_t / thr - 1:                        dz_t/dV_t = 1/thr,  dz_t/dthr = -V_t / thr^2
 *   so dL/dV_t = gV = gU + gz / thr,  and thr collects gz * (-V_t / thr^2) + gU * (-s_t)
 *   V_t = leak * U_{t-1} + I_t:  dL/dI_t = gV,  leak collects gV * U_{t-1},  dL/dU_{t-1} = gV * leak
 */
export function refLifBackward(current: ArrayLike<number>, gradSpikes: ArrayLike<number>, p: LifParams, u0?: ArrayLike<number>): RefLifBackward {
  if (p.surrogate.kind === 'rate') return refLifBackwardRate(current, gradSpikes, p);
  const { steps, size, leak, threshold } = p;
  const fwd = refLifForward(current, p, u0);
  const gradCurrent = new Float64Array(p.constantCurrent ? size : steps * size);
  let gradLeak = 0;
  let gradThreshold = 0;
  let gradLeakScale = 0;
  let gradThresholdScale = 0;
  for (let i = 0; i < size; i++) {
    let gU = 0;
    for (let t = steps - 1; t >= 0; t--) {
      const at = t * size + i;
      const vt = fwd.v[at];
      const zt = fwd.z[at];
      const st = fwd.spikes[at];
      const uPrev = t > 0 ? fwd.u[at - size] : u0 ? u0[i] : 0;
      const gz = gradSpikes[at] * refSurrogate(zt, p.surrogate);
      const gV = gU + gz / threshold;
      const thrTerm = gz * (-vt / (threshold * threshold)) + gU * (-st);
      gradThreshold += thrTerm;
      gradThresholdScale += Math.abs(gz * vt / (threshold * threshold)) + Math.abs(gU * st);
      if (p.constantCurrent) gradCurrent[i] += gV;
      else gradCurrent[at] = gV;
      gradLeak += gV * uPrev;
      gradLeakScale += Math.abs(gV * uPrev);
      gU = gV * leak;
    }
  }
  return { gradCurrent, gradLeak, gradThreshold, gradLeakScale, gradThresholdScale };
}

/**
 * The rate surrogate (BPTR): each neuron's steps are treated as one rate r = clamp(abar / thr, 0, 1)
 * of its mean current abar, every spike s_t ~ r, so dL/dI_t = sum_t' gradSpike_t' * dr/dabar * dabar/dI_t
 * with dr/dabar = [0 < r < 1] / thr and dabar/dI_t = 1 / steps (a constant current is abar itself).
 */
export function refLifBackwardRate(current: ArrayLike<number>, gradSpikes: ArrayLike<number>, p: LifParams): RefLifBackward {
  const { steps, size, threshold } = p;
  const gradCurrent = new Float64Array(p.constantCurrent ? size : steps * size);
  for (let i = 0; i < size; i++) {
    let abar = 0;
    let g = 0;
    for (let t = 0; t < steps; t++) {
      abar += currentAt(current, p, t, i) / steps;
      g += gradSpikes[t * size + i];
    }
    const r = abar / threshold;
    const dr = r > 0 && r < 1 ? 1 / threshold : 0;
    if (p.constantCurrent) gradCurrent[i] = g * dr;
    else for (let t = 0; t < steps; t++) gradCurrent[t * size + i] = (g * dr) / steps;
  }
  return { gradCurrent, gradLeak: 0, gradThreshold: 0, gradLeakScale: 0, gradThresholdScale: 0 };
}

/**
 * A smooth (C^1), surrogate-free quantity whose exact gradient is what lifBackward computes:
 * the LIF dynamics with the resets frozen to the given spike pattern (U_t = V_t - thr * frozen_t,
 * which is what "the reset does not carry gradient through s_t" means) and each spike replaced
 * by S(z_t). L = sum_t,i gradSpikes[t, i] * S(z_t,i). Central differences of L check the
 * backward derivation independently of the step-by-step algebra above.
 */
export function frozenSoftLifLoss(
  current: ArrayLike<number>, gradSpikes: ArrayLike<number>, frozen: ArrayLike<number>,
  p: LifParams, leak: number, threshold: number,
): number {
  let loss = 0;
  for (let i = 0; i < p.size; i++) {
    let uPrev = 0;
    for (let t = 0; t < p.steps; t++) {
      const at = t * p.size + i;
      const v = leak * uPrev + currentAt(current, p, t, i);
      loss += gradSpikes[at] * surrogateIntegral(v / threshold - 1, p.surrogate);
      uPrev = v - threshold * frozen[at];
    }
  }
  return loss;
}
