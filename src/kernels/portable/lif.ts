/**
 * Fused LIF scan (see backend.ts for the dynamics and the surrogates). The membrane state is
 * kept in float64; the backward pass recomputes V_t for a block of neurons, then scans back
 * through time (the rate surrogate instead: lifBackwardRate).
 */
import { checkSurrogate, type LifGrads, type LifParams, type LifPooledCounts, type Surrogate } from '../backend.js';
import { avgPoolBackward, avgPoolForward } from './pool.js';

/** neurons per block in the backward pass (bounds the V_t scratch to steps * BLOCK) */
const BLOCK = 4096;

let uBuf: Float64Array = new Float64Array(0);
let vBuf: Float64Array = new Float64Array(0);
let gBuf: Float64Array = new Float64Array(0);
let accBuf: Float64Array = new Float64Array(0);

function f64(buf: Float64Array, size: number): Float64Array {
  return buf.length >= size ? buf : new Float64Array(size);
}

function check(current: Float32Array, p: LifParams): void {
  const need = p.constantCurrent ? p.size : p.steps * p.size;
  if (current.length < need) throw new Error(`lif: current has ${current.length} values, needs ${need}`);
  if (!(Math.abs(p.threshold) > 0)) throw new Error(`lif: invalid threshold ${p.threshold}`);
}

/** spikes[t * size + i] in {0, 1}; returns the number of spikes */
export function lifForward(current: Float32Array, p: LifParams, spikes: Float32Array): number {
  check(current, p);
  const { steps, size, leak, threshold } = p;
  uBuf = f64(uBuf, size);
  const u = uBuf;
  u.fill(0, 0, size);
  const curStride = p.constantCurrent ? 0 : size;
  let count = 0;
  for (let t = 0; t < steps; t++) {
    const ci = t * curStride;
    const so = t * size;
    for (let i = 0; i < size; i++) {
      const v = leak * u[i] + current[ci + i];
      const s = v / threshold - 1 > 0 ? 1 : 0;
      spikes[so + i] = s;
      u[i] = v - threshold * s;
      count += s;
    }
  }
  return count;
}

/** ds/dz / gamma at z (every kind but rate); invW = 1 / width */
function surrogateShape(s: Surrogate, invW: number, z: number): number {
  switch (s.kind) {
    case 'pwl':
      return Math.max(0, 1 - Math.abs(z) * invW); // width 1: exactly the seed's 1 - |z|
    case 'exp':
      return Math.exp(-Math.abs(z) * invW);
    case 'sigmoid': {
      const e = Math.exp(-Math.abs(z) * invW); // 4 sg (1 - sg) = 4 e / (1 + e)^2, no overflow
      return (4 * e) / ((1 + e) * (1 + e));
    }
    case 'rect':
      return Math.abs(z) < s.width ? 1 : 0;
    default:
      return 1;
  }
}

export function lifBackward(
  current: Float32Array, gradSpikes: Float32Array, p: LifParams, gradCurrent: Float32Array,
): LifGrads {
  check(current, p);
  checkSurrogate(p.surrogate);
  if (p.surrogate.kind === 'rate') return lifBackwardRate(current, gradSpikes, p, gradCurrent);
  const { steps, size, leak, threshold, surrogate, constantCurrent } = p;
  const { gamma } = surrogate;
  const invW = 1 / surrogate.width;
  const curStride = constantCurrent ? 0 : size;
  const invThr = 1 / threshold;
  const block = Math.min(BLOCK, size);
  vBuf = f64(vBuf, steps * block);
  uBuf = f64(uBuf, block);
  gBuf = f64(gBuf, block);
  accBuf = f64(accBuf, block);
  const vs = vBuf;
  const u = uBuf;
  const gU = gBuf;
  const acc = accBuf;
  let gradLeak = 0;
  let gradThreshold = 0;
  let nonzero = 0;

  for (let i0 = 0; i0 < size; i0 += block) {
    const nb = Math.min(block, size - i0);
    // recompute V_t for this block
    u.fill(0, 0, nb);
    for (let t = 0; t < steps; t++) {
      const ci = t * curStride + i0;
      const vo = t * nb;
      for (let j = 0; j < nb; j++) {
        const v = leak * u[j] + current[ci + j];
        vs[vo + j] = v;
        u[j] = v / threshold - 1 > 0 ? v - threshold : v;
      }
    }
    // scan back: gU[j] is dL/dU_t arriving from step t + 1
    gU.fill(0, 0, nb);
    if (constantCurrent) acc.fill(0, 0, nb);
    for (let t = steps - 1; t >= 0; t--) {
      const vo = t * nb;
      const go = t * size + i0;
      for (let j = 0; j < nb; j++) {
        const v = vs[vo + j];
        const z = v / threshold - 1;
        const s = z > 0 ? 1 : 0;
        const gz = gradSpikes[go + j] * gamma * surrogateShape(surrogate, invW, z);
        const gu = gU[j];
        const gv = gu + gz * invThr;
        gradThreshold += gz * (-v * invThr * invThr) - gu * s;
        let uPrev = 0;
        if (t > 0) {
          const vp = vs[vo - nb + j];
          uPrev = vp / threshold - 1 > 0 ? vp - threshold : vp;
        }
        gradLeak += gv * uPrev;
        gU[j] = gv * leak;
        if (constantCurrent) acc[j] += gv;
        else if ((gradCurrent[go + j] = gv) !== 0) nonzero++;
      }
    }
    if (constantCurrent) {
      for (let j = 0; j < nb; j++) if ((gradCurrent[i0 + j] = acc[j]) !== 0) nonzero++;
    }
  }
  return { gradLeak, gradThreshold, gradCurrentNonzero: nonzero };
}

/**
 * The rate surrogate: per neuron, the gradient of its mean spike rate clamp(a / threshold, 0, 1)
 * (a its mean current) times the sum of its spike gradients, spread evenly over the steps'
 * currents (or given to the one constant current); leak and threshold get 0.
 */
function lifBackwardRate(current: Float32Array, gradSpikes: Float32Array, p: LifParams, gradCurrent: Float32Array): LifGrads {
  const { steps, size, threshold, constantCurrent } = p;
  const scale = 1 / (threshold * (constantCurrent ? 1 : steps));
  let nonzero = 0;
  for (let i = 0; i < size; i++) {
    let a = 0;
    let g = 0;
    for (let t = 0; t < steps; t++) {
      if (!constantCurrent) a += current[t * size + i];
      g += gradSpikes[t * size + i];
    }
    const r = (constantCurrent ? current[i] : a / steps) / threshold;
    const gi = r > 0 && r < 1 ? g * scale : 0;
    const written = constantCurrent ? 1 : steps;
    for (let t = 0; t < written; t++) if ((gradCurrent[t * size + i] = gi) !== 0) nonzero++;
  }
  return { gradLeak: 0, gradThreshold: 0, gradCurrentNonzero: nonzero };
}

// the pooled variants compose the two kernels: the rows of all planes pool as one tall plane
export function lifForwardPooled(current: Float32Array, p: LifParams, width: number, pooled: Float32Array): LifPooledCounts {
  checkPooled(p, width);
  const spikes = new Float32Array(p.steps * p.size);
  const count = lifForward(current, p, spikes);
  const pooledNonzero = avgPoolForward(spikes, 1, 1, (p.steps * p.size) / width, width, 2, pooled);
  return { spikes: count, pooledNonzero };
}

export function lifBackwardPooled(current: Float32Array, gradPooled: Float32Array, p: LifParams, width: number, gradCurrent: Float32Array): LifGrads {
  checkPooled(p, width);
  const gradSpikes = new Float32Array(p.steps * p.size);
  avgPoolBackward(gradPooled, 1, 1, (p.steps * p.size) / width, width, 2, gradSpikes);
  return lifBackward(current, gradSpikes, p, gradCurrent);
}

/** the shapes lifForwardPooled accepts (the native kernel's limits, kept on both backends) */
function checkPooled(p: LifParams, width: number): void {
  if (!(Number.isInteger(width) && width > 0 && width % 2 === 0 && width <= 64 && p.size % (2 * width) === 0)) {
    throw new RangeError('lifForwardPooled: needs an even width of at most 64 and whole row pairs');
  }
}
