/**
 * Every backend that can run here against the naive float64 references in ./reference.ts.
 * Outputs are pre-filled with NaN to check that kernels overwrite them in full.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, convOutSize } from '../../src/kernels/index.js';
import type { Backend, ConvShape, LifParams } from '../../src/kernels/index.js';
import {
  Rng, refGemm, refConvForward, refConvBackwardData, refConvBackwardWeights,
  refAvgPoolForward, refAvgPoolBackward, refLifForward, refLifBackward, frozenSoftLifLoss,
} from './reference.js';
import { relErr } from '../helpers/fixtures.js';
import { TRAINING_SURROGATE } from '../../src/snn/lif.js';

const TOL = 1e-5;

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = TOL): void {
  const err = relErr(actual, expected);
  assert.ok(err <= tol, `${what}: relative error ${err.toExponential(3)} > ${tol}`);
}

/** scalar comparison against a scale (sum of |terms|) so cancellation does not make it ill-posed */
function assertScalarClose(actual: number, expected: number, scale: number, what: string, tol = TOL): void {
  const bound = tol * Math.max(Math.abs(expected), scale, 1e-12);
  assert.ok(Math.abs(actual - expected) <= bound, `${what}: ${actual} vs ${expected} (bound ${bound.toExponential(3)})`);
}

function nanArray(n: number): Float32Array {
  return new Float32Array(n).fill(NaN);
}

function shapeName(s: ConvShape): string {
  return `n${s.n} c${s.cIn}->${s.cOut} ${s.h}x${s.w} k${s.kh}x${s.kw} s${s.stride} p${s.pad}`;
}

const conv = (n: number, cIn: number, h: number, w: number, cOut: number, kh: number, kw: number, stride: number, pad: number): ConvShape =>
  ({ n, cIn, h, w, cOut, kh, kw, stride, pad });

const CONV_CASES: ConvShape[] = [
  conv(1, 1, 5, 7, 2, 3, 3, 1, 1),
  conv(2, 3, 9, 6, 5, 3, 3, 2, 1),
  conv(3, 3, 7, 7, 4, 1, 1, 1, 0),
  conv(2, 1, 8, 5, 3, 1, 1, 2, 0),
  conv(1, 3, 6, 11, 7, 3, 3, 1, 0),
  conv(4, 3, 5, 5, 2, 3, 3, 2, 0),
  conv(2, 3, 4, 3, 2, 1, 1, 1, 1),
  conv(1, 1, 3, 3, 1, 3, 3, 1, 1),
  conv(3, 1, 10, 9, 2, 3, 3, 2, 1),
  conv(2, 3, 7, 5, 3, 3, 1, 1, 1),
  conv(1, 3, 1, 1, 4, 3, 3, 1, 1),
  // large enough that the portable backend splits the batch into chunks of several / single images
  conv(3, 16, 36, 40, 24, 3, 3, 1, 1),
  conv(2, 16, 48, 48, 8, 3, 3, 1, 1),
  // VGG-like 3x3 stride 1: the native backward-data runs Winograd F(4x4, 3x3) here, held to the same 1e-5
  conv(2, 64, 8, 8, 64, 3, 3, 1, 1),
  conv(2, 4, 257, 263, 5, 1, 1, 1, 0),
];

const GEMM_SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 5], [6, 1, 9], [5, 7, 3], [17, 13, 1], [33, 29, 31], [4, 64, 130], [9, 3, 70],
];
const ALPHA_BETA: [number, number][] = [[1, 0], [0.5, 1], [-1.25, 0.75], [0, 2], [2, -1]];
const TRANSPOSES: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

function checkGemm(
  be: Backend, rng: Rng, ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number, beta: number,
): void {
  const a = rng.array(m * k);
  const b = rng.array(k * n);
  const c = beta === 0 ? nanArray(m * n) : rng.array(m * n);
  const expected = refGemm(ta, tb, m, n, k, alpha, a, b, beta, c);
  be.gemm(ta, tb, m, n, k, alpha, a, b, beta, c);
  assertClose(c, expected, `gemm ta=${ta} tb=${tb} ${m}x${n}x${k} alpha=${alpha} beta=${beta}`);
}

function lifCurrent(rng: Rng, p: LifParams): Float32Array {
  // currents around the threshold so that neurons both spike and sit in the surrogate window;
  // redraw (deterministically) until no z_t is within 1e-5 of the spike decision, so float32
  // backends cannot legitimately disagree with the float64 reference on a spike
  const n = p.constantCurrent ? p.size : p.steps * p.size;
  for (let attempt = 0; attempt < 100; attempt++) {
    const current = rng.normalArray(n, 0.45 * p.threshold, 0.8 * Math.abs(p.threshold));
    const ref = refLifForward(current, p);
    if (ref.z.every((z) => Math.abs(z) > 1e-5)) return current;
  }
  throw new Error('could not draw a LIF current away from the spike decision');
}

for (const be of availableBackends()) {
  describe(`kernels: ${be.name} backend`, () => {
    test('info', () => {
      const info = be.info();
      assert.equal(info.name, be.name);
      assert.ok(Number.isInteger(info.threads) && info.threads >= 1);
      assert.equal(typeof info.details, 'object');
    });

    test('gemm: 4 transpose combinations, odd shapes, alpha/beta', () => {
      const rng = new Rng(1);
      for (const [ta, tb] of TRANSPOSES) {
        for (const [m, n, k] of GEMM_SHAPES) {
          for (const [alpha, beta] of ALPHA_BETA) checkGemm(be, rng, ta, tb, m, n, k, alpha, beta);
        }
      }
    });

    test('gemm: sizes across cache-block boundaries', () => {
      const rng = new Rng(2);
      for (const [ta, tb] of TRANSPOSES) {
        checkGemm(be, rng, ta, tb, 97, 33, 513, 1, 0);
        checkGemm(be, rng, ta, tb, 130, 7, 260, 0.75, 0.5);
      }
      checkGemm(be, rng, false, false, 99, 1027, 260, 1, 0);
      checkGemm(be, rng, true, true, 99, 1027, 260, -0.5, 1);
    });

    test('gemm: operands that are subarray views', () => {
      const rng = new Rng(3);
      const [m, n, k] = [13, 11, 17];
      const a = rng.array(m * k + 5).subarray(5);
      const b = rng.array(k * n + 3).subarray(3, 3 + k * n);
      const cBuf = rng.array(m * n + 2);
      const c = cBuf.subarray(1, 1 + m * n);
      const before = [cBuf[0], cBuf[cBuf.length - 1]];
      const expected = refGemm(false, true, m, n, k, 1.5, a, b, 0.5, c);
      be.gemm(false, true, m, n, k, 1.5, a, b, 0.5, c);
      assertClose(c, expected, 'gemm on views');
      assert.deepEqual([cBuf[0], cBuf[cBuf.length - 1]], before, 'wrote outside the view');
    });

    for (const s of CONV_CASES) {
      test(`conv2d forward / backward-data / backward-weights: ${shapeName(s)}`, () => {
        const rng = new Rng(100 + s.n * 31 + s.h * 7 + s.w + s.kh * 3 + s.stride + s.pad * 5);
        const { oh, ow } = convOutSize(s);
        const x = rng.array(s.n * s.cIn * s.h * s.w);
        const w = rng.array(s.cOut * s.cIn * s.kh * s.kw);
        const dy = rng.array(s.n * s.cOut * oh * ow);

        const y = nanArray(dy.length);
        be.conv2dForward(x, w, s, y);
        assertClose(y, refConvForward(x, w, s), 'forward');

        const dx = nanArray(x.length);
        be.conv2dBackwardData(dy, w, s, dx);
        assertClose(dx, refConvBackwardData(dy, w, s), 'backward data');

        const dw = nanArray(w.length);
        be.conv2dBackwardWeights(x, dy, s, dw);
        assertClose(dw, refConvBackwardWeights(x, dy, s), 'backward weights');

        // adjoint identities, independent of the reference: <conv(x, w), dy> = <x, dx> = <w, dw>
        let yDy = 0, xDx = 0, wDw = 0, scale = 0;
        for (let i = 0; i < y.length; i++) { yDy += y[i] * dy[i]; scale += Math.abs(y[i] * dy[i]); }
        for (let i = 0; i < x.length; i++) xDx += x[i] * dx[i];
        for (let i = 0; i < w.length; i++) wDw += w[i] * dw[i];
        assertScalarClose(xDx, yDy, scale, '<x, dx> = <y, dy>');
        assertScalarClose(wDw, yDy, scale, '<w, dw> = <y, dy>');
      });
    }

    test('conv2d: operands that are subarray views', () => {
      const rng = new Rng(4);
      const s = conv(2, 3, 6, 5, 4, 3, 3, 1, 1);
      const { oh, ow } = convOutSize(s);
      const x = rng.array(s.n * s.cIn * s.h * s.w + 3).subarray(3);
      const w = rng.array(s.cOut * s.cIn * 9 + 1).subarray(1);
      const yBuf = rng.array(s.n * s.cOut * oh * ow + 2);
      const y = yBuf.subarray(1, 1 + s.n * s.cOut * oh * ow);
      const before = [yBuf[0], yBuf[yBuf.length - 1]];
      be.conv2dForward(x, w, s, y);
      assertClose(y, refConvForward(x, w, s), 'forward on views');
      assert.deepEqual([yBuf[0], yBuf[yBuf.length - 1]], before, 'wrote outside the view');
    });

    test('avg pool forward / backward (floor division, k = 1..4)', () => {
      const rng = new Rng(5);
      const cases: [number, number, number, number, number][] = [
        [1, 1, 4, 4, 2], [2, 3, 7, 5, 2], [1, 2, 9, 9, 3], [3, 1, 6, 8, 1], [2, 2, 5, 4, 4], [1, 3, 8, 13, 2],
      ];
      for (const [n, c, h, w, k] of cases) {
        const oh = Math.floor(h / k);
        const ow = Math.floor(w / k);
        const x = rng.array(n * c * h * w);
        const y = nanArray(n * c * oh * ow);
        be.avgPoolForward(x, n, c, h, w, k, y);
        assertClose(y, refAvgPoolForward(x, n, c, h, w, k), `pool forward ${n}x${c}x${h}x${w} k${k}`);
        const dy = rng.array(y.length);
        const dx = nanArray(x.length);
        be.avgPoolBackward(dy, n, c, h, w, k, dx);
        assertClose(dx, refAvgPoolBackward(dy, n, c, h, w, k), `pool backward ${n}x${c}x${h}x${w} k${k}`);
      }
    });

    test('avg pool forward returns its nonzero outputs (pooled spikes, threaded size too)', () => {
      const rng = new Rng(6);
      for (const [n, c, h, w, k] of [[2, 3, 7, 5, 2], [1, 2, 9, 9, 3], [8, 64, 16, 16, 2]] as const) {
        const x = rng.array(n * c * h * w).map((v) => (v > 0.8 ? 1 : 0));
        const y = nanArray(n * c * Math.floor(h / k) * Math.floor(w / k));
        const count = be.avgPoolForward(x, n, c, h, w, k, y);
        const expected = y.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0);
        assert.ok(expected > 0 && expected < y.length, 'a mix of zero and nonzero windows');
        assert.equal(count, expected, `${n}x${c}x${h}x${w} k${k}`);
      }
    });

    const lifCases: LifParams[] = [];
    for (const constantCurrent of [false, true]) {
      for (const [steps, size] of [[1, 7], [5, 37], [8, 300]]) {
        for (const [leak, threshold, gamma] of [[1, 1, 0.3], [0.9, 0.35, 0.3], [0.5, 2.5, 1]]) {
          lifCases.push({ steps, size, leak, threshold, surrogate: { kind: 'pwl', gamma, width: 1 }, constantCurrent });
        }
      }
      lifCases.push({ steps: 3, size: 5000, leak: 0.95, threshold: 1, surrogate: TRAINING_SURROGATE, constantCurrent });
    }

    test('lif forward / backward vs reference', () => {
      const rng = new Rng(6);
      for (const p of lifCases) {
        const what = `lif ${JSON.stringify(p)}`;
        const gradSpikes = rng.normalArray(p.steps * p.size);
        const current = lifCurrent(rng, p);
        const ref = refLifForward(current, p);

        const spikes = nanArray(p.steps * p.size);
        const count = be.lifForward(current, p, spikes);
        let mismatches = 0;
        for (let i = 0; i < spikes.length; i++) if (spikes[i] !== ref.spikes[i]) mismatches++;
        assert.equal(mismatches, 0, `${what}: spikes differ`);
        assert.equal(count, ref.count, `${what}: spike count`);

        const refB = refLifBackward(current, gradSpikes, p);
        const gradCurrent = nanArray(p.constantCurrent ? p.size : p.steps * p.size);
        const g = be.lifBackward(current, gradSpikes, p, gradCurrent);
        assertClose(gradCurrent, refB.gradCurrent, `${what}: gradCurrent`);
        assertScalarClose(g.gradLeak, refB.gradLeak, refB.gradLeakScale, `${what}: gradLeak`);
        assertScalarClose(g.gradThreshold, refB.gradThreshold, refB.gradThresholdScale, `${what}: gradThreshold`);
        assert.equal(g.gradCurrentNonzero, gradCurrent.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0), `${what}: nonzero count`);
      }
    });

    test('lif gradients vs central finite differences of the frozen-reset surrogate loss', () => {
      const rng = new Rng(7);
      const h = 1e-6;
      const fdTol = 1e-4;
      for (const constantCurrent of [false, true]) {
        for (const [leak, threshold] of [[0.8, 0.7], [1, 1.3]]) {
          const p: LifParams = { steps: 6, size: 5, leak, threshold, surrogate: TRAINING_SURROGATE, constantCurrent };
          const what = `lif fd ${JSON.stringify(p)}`;
          const gradSpikes = rng.normalArray(p.steps * p.size);
          const current = lifCurrent(rng, p);
          const frozen = refLifForward(current, p).spikes;
          assert.ok(frozen.some((s) => s === 1), `${what}: the case should spike`);
          const loss = (cur: ArrayLike<number>, lk: number, thr: number): number =>
            frozenSoftLifLoss(cur, gradSpikes, frozen, p, lk, thr);

          const fdCurrent = new Float64Array(current.length);
          const cur = Float64Array.from(current);
          for (let i = 0; i < cur.length; i++) {
            const x0 = cur[i];
            cur[i] = x0 + h;
            const up = loss(cur, leak, threshold);
            cur[i] = x0 - h;
            const down = loss(cur, leak, threshold);
            cur[i] = x0;
            fdCurrent[i] = (up - down) / (2 * h);
          }
          const fdLeak = (loss(cur, leak + h, threshold) - loss(cur, leak - h, threshold)) / (2 * h);
          const fdThr = (loss(cur, leak, threshold + h) - loss(cur, leak, threshold - h)) / (2 * h);

          const refB = refLifBackward(current, gradSpikes, p);
          assertClose(refB.gradCurrent, fdCurrent, `${what}: reference gradCurrent vs FD`, fdTol);
          assertScalarClose(refB.gradLeak, fdLeak, 0, `${what}: reference gradLeak vs FD`, fdTol);
          assertScalarClose(refB.gradThreshold, fdThr, 0, `${what}: reference gradThreshold vs FD`, fdTol);

          const gradCurrent = nanArray(current.length);
          const g = be.lifBackward(current, gradSpikes, p, gradCurrent);
          assertClose(gradCurrent, fdCurrent, `${what}: gradCurrent vs FD`, fdTol);
          assertScalarClose(g.gradLeak, fdLeak, 0, `${what}: gradLeak vs FD`, fdTol);
          assertScalarClose(g.gradThreshold, fdThr, 0, `${what}: gradThreshold vs FD`, fdTol);
        }
      }
    });
  });
}
