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

/** a gradient for kind 'masked' (|v| below `cut` zeroed, as a surrogate would), 'dense' or 'zero' */
function masked(cut: number): (rng: Rng, len: number, kind: string) => Float32Array {
  return (rng, len, kind) => rng.array(len).map((v) => (kind === 'zero' || (kind === 'masked' && Math.abs(v) < cut) ? 0 : v));
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

    // Each conv kernel against the reference and the same backend's dense kernel, with its
    // operands (the sparse one first) in the dense kernel's order. The backward-data's dy is a
    // surrogate-masked gradient (about 70 % zeros), fully dense or all zero; its cases have
    // stride 1, square kernels, pad < kernel, and cIn past a chunk and past a 64-tile.
    const CONV = [
      {
        name: 'conv2dForwardSparse', dense: 'conv2dForward', ref: refConvForward, seed: (s: ConvShape) => 7 + s.cOut * 13 + s.h,
        cases: CASES, kinds: ['spikes', 'pooled', 'dense', 'zero', 'spikes+half', 'pooled+stray'], sparse: input, label: '',
        sizes: (s: ConvShape, oh: number, ow: number) => [s.n * s.cIn * s.h * s.w, s.cOut * s.cIn * s.kh * s.kw, s.n * s.cOut * oh * ow],
      },
      {
        name: 'conv2dBackwardDataSparse', dense: 'conv2dBackwardData', ref: refConvBackwardData, seed: (s: ConvShape) => 13 + s.cIn * 5 + s.h,
        cases: [...CASES.filter((s) => s.stride === 1), conv(2, 70, 6, 6, 300, 3, 1, 1), conv(1, 3, 7, 7, 16, 3, 1, 2), conv(2, 130, 4, 4, 8, 3, 1, 1)],
        kinds: ['masked', 'dense', 'zero'], sparse: masked(0.7), label: ' dy',
        sizes: (s: ConvShape, oh: number, ow: number) => [s.n * s.cOut * oh * ow, s.cOut * s.cIn * s.kh * s.kw, s.n * s.cIn * s.h * s.w],
      },
      {
        name: 'conv2dBackwardWeightsSparse', dense: 'conv2dBackwardWeights', ref: refConvBackwardWeights, seed: (s: ConvShape) => 11 + s.cOut * 7 + s.h,
        cases: [...CASES, conv(2, 3, 6, 6, 17, 2, 1, 0), conv(1, 2, 5, 5, 16, 3, 1, 3), conv(2, 4, 7, 7, 20, 3, 3, 1)],
        kinds: ['spikes', 'pooled', 'dense', 'zero'], sparse: input, label: '',
        sizes: (s: ConvShape, oh: number, ow: number) => [s.n * s.cIn * s.h * s.w, s.n * s.cOut * oh * ow, s.cOut * s.cIn * s.kh * s.kw],
      },
    ] as const;
    for (const op of CONV) {
      for (const s of op.cases) {
        for (const kind of op.kinds) {
          test(`${op.name} = reference = dense: ${JSON.stringify(s)} ${kind}${op.label}`, () => {
            const rng = new Rng(op.seed(s));
            const { oh, ow } = convOutSize(s);
            const [aLen, bLen, outLen] = op.sizes(s, oh, ow);
            const a = op.sparse(rng, aLen, kind as Kind);
            const b = rng.array(bLen);
            const out = new Float32Array(outLen).fill(NaN);
            be[op.name](a, b, s, out);
            const err = relErr(out, op.ref(a, b, s));
            assert.ok(err <= 1e-5, `sparse vs reference: relative error ${err}`);
            const dense = new Float32Array(outLen);
            be[op.dense](a, b, s, dense);
            assert.ok(relErr(out, dense) <= 1e-5, 'sparse vs dense');
          });
        }
      }
    }

    test('conv2dBackwardDataSparse refuses strides other than 1', () => {
      const s = conv(1, 2, 6, 6, 3, 3, 2, 1);
      assert.throws(() => be.conv2dBackwardDataSparse(new Float32Array(27), new Float32Array(54), s, new Float32Array(72)), RangeError);
    });

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

    // Each linear kernel against the reference and the dense gemm of the same product: `gemmOf`
    // maps its operands (the sparse one first) to gemm's (transA, transB, m, n, k, A, B). The
    // backward-data's dy is a surrogate-masked gradient (about 60 % zeros), fully dense or all
    // zero, and it runs on subarray views. (1100 rows: more than one row block of the native
    // kernel; 300 inputs: a partial last chunk.)
    type GemmOf = (a: Float32Array, b: Float32Array, n: number, inF: number, outF: number) => [boolean, boolean, number, number, number, Float32Array, Float32Array];
    const spikeKinds: Kind[] = ['spikes', 'pooled', 'dense', 'zero'];
    const LINEAR = [
      {
        name: 'linearBackwardWeightsSparse', seed: 31, kinds: spikeKinds, sparse: input, label: '', views: false,
        shapes: [[5, 37, 64], [9, 130, 200], [3, 16, 17], [40, 300, 128], [1, 1, 1]],
        sizes: (n: number, inF: number, outF: number) => [n * inF, n * outF, outF * inF],
        gemmOf: ((x, dy, n, inF, outF) => [true, false, outF, inF, n, dy, x]) as GemmOf,
      },
      {
        name: 'linearForwardSparse', seed: 17, kinds: spikeKinds, sparse: input, label: '', views: false,
        shapes: [[5, 37, 64], [9, 130, 200], [3, 16, 17], [40, 300, 128], [1, 1, 1], [1100, 20, 70]],
        sizes: (n: number, inF: number, outF: number) => [n * inF, outF * inF, n * outF],
        gemmOf: ((x, w, n, inF, outF) => [false, true, n, outF, inF, x, w]) as GemmOf,
      },
      {
        name: 'linearBackwardDataSparse', seed: 13, kinds: ['masked', 'dense', 'zero'], sparse: masked(0.6), label: ' dy', views: true,
        shapes: [[5, 64, 37], [9, 200, 130], [3, 17, 16], [40, 128, 300], [1, 1, 1], [1100, 70, 20]],
        sizes: (n: number, inF: number, outF: number) => [n * outF, outF * inF, n * inF],
        gemmOf: ((dy, w, n, inF, outF) => [false, false, n, inF, outF, dy, w]) as GemmOf,
      },
    ] as const;
    for (const op of LINEAR) {
      for (const [n, inF, outF] of op.shapes) {
        for (const kind of op.kinds) {
          test(`${op.name} = reference = dense gemm: n ${n}, ${inF} -> ${outF}, ${kind}${op.label}`, () => {
            const rng = new Rng(n * op.seed + inF + outF);
            const [aLen, bLen, outLen] = op.sizes(n, inF, outF);
            const a = op.sparse(rng, aLen, kind as Kind);
            const b = op.views ? rng.array(bLen + 1).subarray(1) : rng.array(bLen);
            const buf = new Float32Array(op.views ? outLen + 2 : outLen).fill(NaN);
            const out = op.views ? buf.subarray(1, 1 + outLen) : buf;
            be[op.name](a, b, n, inF, outF, out);
            if (op.views) assert.ok(Number.isNaN(buf[0]) && Number.isNaN(buf[buf.length - 1]), 'wrote outside the view');
            const [tA, tB, m, nn, k, A, B] = op.gemmOf(a, b, n, inF, outF);
            const ref = refGemm(tA, tB, m, nn, k, 1, A, B, 0, new Float32Array(outLen));
            assert.ok(relErr(out, ref) <= 1e-5, `sparse vs reference: ${relErr(out, ref)}`);
            const dense = new Float32Array(outLen);
            be.gemm(tA, tB, m, nn, k, 1, A, B, 0, dense);
            assert.ok(relErr(out, dense) <= 1e-5, 'sparse vs dense');
          });
        }
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
