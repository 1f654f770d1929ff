/**
 * Event-driven (sparse-input) kernels on every backend: against the float64 reference and
 * against the same backend's dense kernels, for spike inputs (0/1), pooled spikes
 * (0, .25, .5, .75, 1), dense inputs, all-zero inputs, odd channel counts (SIMD tile
 * remainders), strides and paddings.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, convOutSize, type ConvShape } from '../../src/kernels/index.js';
import { Rng, refConvBackwardData, refConvBackwardWeights, refConvForward, refGemm } from './reference.js';
import { relErr } from '../helpers/fixtures.js';

function conv(n: number, cIn: number, h: number, w: number, cOut: number, k: number, stride: number, pad: number): ConvShape {
  return { n, cIn, h, w, cOut, kh: k, kw: k, stride, pad };
}

const CASES: ConvShape[] = [
  conv(3, 8, 9, 9, 64, 3, 1, 1),
  conv(2, 16, 8, 8, 130, 3, 1, 1),
  conv(2, 5, 7, 6, 3, 3, 2, 1),
  conv(1, 4, 6, 7, 70, 3, 1, 0),
  conv(2, 6, 5, 5, 9, 1, 1, 0),
  conv(2, 3, 8, 8, 5, 1, 2, 0),
  conv(1, 7, 11, 10, 64, 5, 2, 2),
  // more input channels than one chunk of the native forward's weight layout (128), partial last chunk
  conv(2, 300, 5, 4, 70, 3, 1, 1),
];

type Kind = 'spikes' | 'pooled' | 'dense' | 'zero' | 'spikes+half' | 'pooled+stray';

function input(rng: Rng, len: number, kind: Kind): Float32Array {
  const x = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    if (kind === 'dense') x[i] = rng.uniform(-1, 1);
    else if (kind.startsWith('pooled')) x[i] = rng.next() < 0.3 ? rng.int(1, 4) / 4 : 0;
    else if (kind.startsWith('spikes')) x[i] = rng.next() < 0.1 ? 1 : 0;
  }
  // one odd value in the last image's last channel: the native forward has built most of the
  // spike (quarter) masks when it meets it and must fall back to quarters (a list)
  if (kind === 'spikes+half' && len > 0) x[len - 1] = 0.5;
  if (kind === 'pooled+stray' && len > 0) x[len - 1] = 0.3;
  return x;
}

for (const be of availableBackends()) {
  describe(`sparse kernels: ${be.name} backend`, () => {
    test('countNonzero', () => {
      assert.equal(be.countNonzero(new Float32Array(0)), 0);
      assert.equal(be.countNonzero(Float32Array.of(0, 1, -0, 0.25, -2, 0)), 3);
      const big = new Float32Array(200_003);
      for (let i = 0; i < big.length; i += 7) big[i] = 1;
      assert.equal(be.countNonzero(big), Math.ceil(big.length / 7));
      assert.equal(be.countNonzero(big.subarray(1, 15)), 2);
    });

    for (const s of CASES) {
      for (const kind of ['spikes', 'pooled', 'dense', 'zero', 'spikes+half', 'pooled+stray'] as Kind[]) {
        test(`conv2dForwardSparse = reference = dense: ${JSON.stringify(s)} ${kind}`, () => {
          const rng = new Rng(7 + s.cOut * 13 + s.h);
          const { oh, ow } = convOutSize(s);
          const x = input(rng, s.n * s.cIn * s.h * s.w, kind);
          const w = rng.array(s.cOut * s.cIn * s.kh * s.kw);
          const y = new Float32Array(s.n * s.cOut * oh * ow).fill(NaN);
          be.conv2dForwardSparse(x, w, s, y);
          const ref = refConvForward(x, w, s);
          const err = relErr(y, ref);
          assert.ok(err <= 1e-5, `sparse vs reference: relative error ${err}`);
          const dense = new Float32Array(y.length);
          be.conv2dForward(x, w, s, dense);
          assert.ok(relErr(y, dense) <= 1e-5, 'sparse vs dense');
        });
      }
    }

    // backward-data: stride 1, square kernels, pad < kernel; cIn past a chunk and past a 64-tile
    const dataCases = [...CASES.filter((s) => s.stride === 1), conv(2, 70, 6, 6, 300, 3, 1, 1), conv(1, 3, 7, 7, 16, 3, 1, 2), conv(2, 130, 4, 4, 8, 3, 1, 1)];
    for (const s of dataCases) {
      for (const kind of ['masked', 'dense', 'zero'] as const) {
        test(`conv2dBackwardDataSparse = reference = dense: ${JSON.stringify(s)} ${kind} dy`, () => {
          const rng = new Rng(13 + s.cIn * 5 + s.h);
          const { oh, ow } = convOutSize(s);
          const dy = rng.array(s.n * s.cOut * oh * ow).map((v) => (kind === 'zero' || (kind === 'masked' && Math.abs(v) < 0.7) ? 0 : v));
          const w = rng.array(s.cOut * s.cIn * s.kh * s.kw);
          const dx = new Float32Array(s.n * s.cIn * s.h * s.w).fill(NaN);
          be.conv2dBackwardDataSparse(dy, w, s, dx);
          const err = relErr(dx, refConvBackwardData(dy, w, s));
          assert.ok(err <= 1e-5, `sparse vs reference: relative error ${err}`);
          const dense = new Float32Array(dx.length);
          be.conv2dBackwardData(dy, w, s, dense);
          assert.ok(relErr(dx, dense) <= 1e-5, 'sparse vs dense');
        });
      }
    }

    test('conv2dBackwardDataSparse refuses strides other than 1', () => {
      const s = conv(1, 2, 6, 6, 3, 3, 2, 1);
      assert.throws(() => be.conv2dBackwardDataSparse(new Float32Array(27), new Float32Array(54), s, new Float32Array(72)), RangeError);
    });

    for (const s of [...CASES, conv(2, 3, 6, 6, 17, 2, 1, 0), conv(1, 2, 5, 5, 16, 3, 1, 3), conv(2, 4, 7, 7, 20, 3, 3, 1)]) {
      for (const kind of ['spikes', 'pooled', 'dense', 'zero'] as Kind[]) {
        test(`conv2dBackwardWeightsSparse = reference = dense: ${JSON.stringify(s)} ${kind}`, () => {
          const rng = new Rng(11 + s.cOut * 7 + s.h);
          const { oh, ow } = convOutSize(s);
          const x = input(rng, s.n * s.cIn * s.h * s.w, kind);
          const dy = rng.array(s.n * s.cOut * oh * ow);
          const dw = new Float32Array(s.cOut * s.cIn * s.kh * s.kw).fill(NaN);
          be.conv2dBackwardWeightsSparse(x, dy, s, dw);
          const ref = refConvBackwardWeights(x, dy, s);
          const err = relErr(dw, ref);
          assert.ok(err <= 1e-5, `sparse vs reference: relative error ${err}`);
          const dense = new Float32Array(dw.length);
          be.conv2dBackwardWeights(x, dy, s, dense);
          assert.ok(relErr(dw, dense) <= 1e-5, 'sparse vs dense');
        });
      }
    }

    test('conv2dBackwardWeightsSparse is deterministic: the same inputs give the same bits (threads sum image blocks)', () => {
      const rng = new Rng(4);
      const s = conv(64, 8, 8, 8, 64, 3, 1, 1);
      const { oh, ow } = convOutSize(s);
      const x = input(rng, s.n * s.cIn * 64, 'spikes');
      const dy = rng.array(s.n * s.cOut * oh * ow);
      const first = new Float32Array(s.cOut * s.cIn * 9);
      be.conv2dBackwardWeightsSparse(x, dy, s, first);
      for (let run = 0; run < 8; run++) {
        const again = new Float32Array(first.length);
        be.conv2dBackwardWeightsSparse(x, dy, s, again);
        assert.deepEqual(again, first, `run ${run + 2} differs`);
      }
    });

    test('conv2dBackwardWeightsSparse: many images (several image blocks), subarray views', () => {
      const rng = new Rng(3);
      const s = conv(40, 5, 8, 8, 200, 3, 1, 1);
      const { oh, ow } = convOutSize(s);
      const x = input(rng, s.n * s.cIn * 64 + 1, 'spikes').subarray(1);
      const dy = rng.array(s.n * s.cOut * oh * ow + 2).subarray(2);
      const buf = rng.array(s.cOut * s.cIn * 9 + 2);
      const dw = buf.subarray(1, 1 + s.cOut * s.cIn * 9);
      const before = [buf[0], buf[buf.length - 1]];
      be.conv2dBackwardWeightsSparse(x, dy, s, dw);
      assert.ok(relErr(dw, refConvBackwardWeights(x, dy, s)) <= 1e-5);
      assert.deepEqual([buf[0], buf[buf.length - 1]], before, 'wrote outside the view');
    });

    for (const [n, inF, outF] of [[5, 37, 64], [9, 130, 200], [3, 16, 17], [40, 300, 128], [1, 1, 1]]) {
      for (const kind of ['spikes', 'pooled', 'dense', 'zero'] as Kind[]) {
        test(`linearBackwardWeightsSparse = reference = dense gemm: n ${n}, ${inF} -> ${outF}, ${kind}`, () => {
          const rng = new Rng(n * 31 + inF + outF);
          const x = input(rng, n * inF, kind);
          const dy = rng.array(n * outF);
          const dw = new Float32Array(outF * inF).fill(NaN);
          be.linearBackwardWeightsSparse(x, dy, n, inF, outF, dw);
          const ref = refGemm(true, false, outF, inF, n, 1, dy, x, 0, new Float32Array(outF * inF));
          assert.ok(relErr(dw, ref) <= 1e-5, `sparse vs reference: ${relErr(dw, ref)}`);
          const dense = new Float32Array(outF * inF);
          be.gemm(true, false, outF, inF, n, 1, dy, x, 0, dense);
          assert.ok(relErr(dw, dense) <= 1e-5, 'sparse vs dense');
        });
      }
    }

    // (1100 rows: more than one row block of the native kernel; 300 inputs: a partial last chunk)
    for (const [n, inF, outF] of [[5, 37, 64], [9, 130, 200], [3, 16, 17], [40, 300, 128], [1, 1, 1], [1100, 20, 70]]) {
      for (const kind of ['spikes', 'pooled', 'dense', 'zero'] as Kind[]) {
        test(`linearForwardSparse = reference = dense gemm: n ${n}, ${inF} -> ${outF}, ${kind}`, () => {
          const rng = new Rng(n * 17 + inF + outF);
          const x = input(rng, n * inF, kind);
          const w = rng.array(outF * inF);
          const y = new Float32Array(n * outF).fill(NaN);
          be.linearForwardSparse(x, w, n, inF, outF, y);
          const ref = refGemm(false, true, n, outF, inF, 1, x, w, 0, new Float32Array(n * outF));
          assert.ok(relErr(y, ref) <= 1e-5, `sparse vs reference: ${relErr(y, ref)}`);
          const dense = new Float32Array(n * outF);
          be.gemm(false, true, n, outF, inF, 1, x, w, 0, dense);
          assert.ok(relErr(y, dense) <= 1e-5, 'sparse vs dense');
        });
      }
    }

    // dy: a surrogate-masked gradient (about 60 % zeros), fully dense, or all zero
    for (const [n, inF, outF] of [[5, 64, 37], [9, 200, 130], [3, 17, 16], [40, 128, 300], [1, 1, 1], [1100, 70, 20]]) {
      for (const kind of ['masked', 'dense', 'zero'] as const) {
        test(`linearBackwardDataSparse = reference = dense gemm: n ${n}, ${inF} -> ${outF}, ${kind} dy`, () => {
          const rng = new Rng(n * 13 + inF + outF);
          const dy = rng.array(n * outF).map((v) => (kind === 'zero' || (kind === 'masked' && Math.abs(v) < 0.6) ? 0 : v));
          const w = rng.array(outF * inF + 1).subarray(1);
          const buf = new Float32Array(n * inF + 2).fill(NaN);
          const dx = buf.subarray(1, 1 + n * inF);
          be.linearBackwardDataSparse(dy, w, n, inF, outF, dx);
          assert.ok(Number.isNaN(buf[0]) && Number.isNaN(buf[buf.length - 1]), 'wrote outside the view');
          const ref = refGemm(false, false, n, inF, outF, 1, dy, w, 0, new Float32Array(n * inF));
          assert.ok(relErr(dx, ref) <= 1e-5, `sparse vs reference: ${relErr(dx, ref)}`);
          const dense = new Float32Array(n * inF);
          be.gemm(false, false, n, inF, outF, 1, dy, w, 0, dense);
          assert.ok(relErr(dx, dense) <= 1e-5, 'sparse vs dense');
        });
      }
    }

    test('linearForwardSparse on subarray views writes only inside the view', () => {
      const rng = new Rng(9);
      const [n, inF, outF] = [6, 140, 70];
      const x = input(rng, n * inF + 3, 'spikes').subarray(3);
      const w = rng.array(outF * inF + 1).subarray(1);
      const buf = rng.array(n * outF + 2);
      const y = buf.subarray(1, 1 + n * outF);
      const before = [buf[0], buf[buf.length - 1]];
      be.linearForwardSparse(x, w, n, inF, outF, y);
      assert.ok(relErr(y, refGemm(false, true, n, outF, inF, 1, x, w, 0, new Float32Array(n * outF))) <= 1e-5);
      assert.deepEqual([buf[0], buf[buf.length - 1]], before, 'wrote outside the view');
    });

    test('conv2dForwardSparse on subarray views writes only inside the view', () => {
      const rng = new Rng(5);
      const s = conv(2, 4, 6, 6, 66, 3, 1, 1);
      const { oh, ow } = convOutSize(s);
      const x = input(rng, s.n * s.cIn * 36 + 3, 'spikes').subarray(3);
      const w = rng.array(s.cOut * s.cIn * 9 + 1).subarray(1);
      const yBuf = rng.array(s.n * s.cOut * oh * ow + 2);
      const y = yBuf.subarray(1, 1 + s.n * s.cOut * oh * ow);
      const before = [yBuf[0], yBuf[yBuf.length - 1]];
      be.conv2dForwardSparse(x, w, s, y);
      assert.ok(relErr(y, refConvForward(x, w, s)) <= 1e-5);
      assert.deepEqual([yBuf[0], yBuf[yBuf.length - 1]], before, 'wrote outside the view');
    });
  });
}
