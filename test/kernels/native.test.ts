/**
 * Native-backend specifics (the numerical checks are in kernels.test.ts, which runs on every
 * backend): the export table, thread count, primitive cache reuse, layout modes, argument checking.
 * Skipped when the addon is not built, except under CI=true, where that is a failure.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ADDON_EXPORTS, loadNativeBackend, type NativeBackend } from '../../src/kernels/native.js';
import { convOutSize } from '../../src/kernels/backend.js';
import type { ConvShape } from '../../src/kernels/backend.js';
import { TRAINING_SURROGATE } from '../../src/snn/lif.js';
import { nativeSkip } from '../helpers/backends.js';

const native = loadNativeBackend().backend;
const skip = nativeSkip();

function random(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 4294967296 - 0.5;
  }
  return a;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** info().threads of the addon in a fresh process with the given environment */
function childThreads(env: Record<string, string | undefined>): number {
  const be = native as NativeBackend;
  const out = execFileSync(
    process.execPath,
    ['-e', `process.stdout.write(String(require(${JSON.stringify(be.addonPath)}).info().threads))`],
    { env: { ...process.env, ...env }, encoding: 'utf8' },
  );
  return Number(out);
}

describe('native backend', { skip }, () => {
  test('loadNativeBackend caches its result', () => {
    assert.equal(loadNativeBackend().backend, native);
  });

  test('the addon exports exactly the kernel table and its controls', () => {
    const exported = Object.keys(native!.addon).filter((k) => typeof (native!.addon as unknown as Record<string, unknown>)[k] === 'function');
    assert.deepEqual(exported.sort(), [...ADDON_EXPORTS].sort());
  });

  test('info reports oneDNN, ISA and OpenMP threads', () => {
    const info = (native as NativeBackend).info();
    assert.equal(info.name, 'native');
    assert.match(info.details.oneDNN, /^\d+\.\d+\.\d+$/);
    assert.ok(info.details.isa.length > 0);
    assert.equal(info.details.ompThreads, String(info.threads));
    assert.ok(info.threads >= 1);
  });

  test('thread count honours OMP_NUM_THREADS and defaults to every core', () => {
    assert.equal(childThreads({ OMP_NUM_THREADS: '1' }), 1);
    assert.equal(childThreads({ OMP_NUM_THREADS: '3' }), 3);
    const procs = (native as NativeBackend).addon.info().procs;
    assert.equal(childThreads({ OMP_NUM_THREADS: undefined }), procs);
  });

  test('conv and gemm primitives are created once per shape', () => {
    const be = native as NativeBackend;
    const s: ConvShape = { n: 2, cIn: 5, h: 9, w: 7, cOut: 6, kh: 3, kw: 3, stride: 1, pad: 1 };
    const { oh, ow } = convOutSize(s);
    const x = random(s.n * s.cIn * s.h * s.w, 1);
    const w = random(s.cOut * s.cIn * 9, 2);
    const y = new Float32Array(s.n * s.cOut * oh * ow);
    const before = be.addon.cacheStats();
    be.conv2dForward(x, w, s, y);
    const first = be.addon.cacheStats();
    for (let i = 0; i < 3; i++) be.conv2dForward(x, w, s, y);
    const after = be.addon.cacheStats();
    assert.equal(first.misses - before.misses, 1);
    assert.equal(after.misses, first.misses);
    assert.equal(after.hits - first.hits, 3);

    const a = random(12, 3);
    const b = random(12, 4);
    const c = new Float32Array(9);
    be.gemm(false, false, 3, 3, 4, 1, a, b, 0, c);
    const g1 = be.addon.cacheStats();
    be.gemm(false, false, 3, 3, 4, 1, a, b, 0, c);
    const g2 = be.addon.cacheStats();
    assert.equal(g2.misses, g1.misses);
    assert.equal(g2.hits - g1.hits, 1);
  });

  test('plain, blocked and auto conv layouts agree', () => {
    const be = native as NativeBackend;
    const initial = be.addon.convLayout();
    try {
      for (const s of [
        { n: 3, cIn: 3, h: 12, w: 12, cOut: 16, kh: 3, kw: 3, stride: 1, pad: 1 },
        { n: 2, cIn: 32, h: 8, w: 8, cOut: 48, kh: 3, kw: 3, stride: 1, pad: 1 },
      ] as ConvShape[]) {
        const { oh, ow } = convOutSize(s);
        const x = random(s.n * s.cIn * s.h * s.w, 5);
        const w = random(s.cOut * s.cIn * s.kh * s.kw, 6);
        const dy = random(s.n * s.cOut * oh * ow, 7);
        const results = (['plain', 'blocked', 'auto'] as const).map((layout) => {
          assert.equal(be.addon.convLayout(layout), layout);
          const y = new Float32Array(dy.length);
          const dx = new Float32Array(x.length);
          const dw = new Float32Array(w.length);
          be.conv2dForward(x, w, s, y);
          be.conv2dBackwardData(dy, w, s, dx);
          be.conv2dBackwardWeights(x, dy, s, dw);
          return [y, dx, dw];
        });
        for (const r of results.slice(1)) {
          for (let k = 0; k < 3; k++) assert.ok(maxAbsDiff(r[k], results[0][k]) < 1e-4, `operand ${k}`);
        }
      }
    } finally {
      be.addon.convLayout(initial);
    }
    assert.throws(() => be.addon.convLayout('nhwc' as never), RangeError);
  });

  test('bad arguments throw instead of touching memory', () => {
    const be = native as NativeBackend;
    const s: ConvShape = { n: 1, cIn: 2, h: 4, w: 4, cOut: 2, kh: 3, kw: 3, stride: 1, pad: 1 };
    const w = new Float32Array(36);
    assert.throws(() => be.conv2dForward(new Float32Array(31), w, s, new Float32Array(32)), RangeError);
    assert.throws(() => be.conv2dForward(new Float32Array(32), w, s, new Float32Array(31)), RangeError);
    assert.throws(
      () => be.conv2dForward(new Float64Array(32) as unknown as Float32Array, w, s, new Float32Array(32)),
      TypeError,
    );
    assert.throws(() => be.conv2dForward(new Float32Array(32), w, { ...s, kh: 7 }, new Float32Array(32)), RangeError);
    assert.throws(() => be.gemm(false, false, 2, 2, 2, 1, new Float32Array(4), new Float32Array(3), 0, new Float32Array(4)));
    assert.throws(() => be.gemm(false, false, -1, 2, 2, 1, new Float32Array(4), new Float32Array(4), 0, new Float32Array(4)));
    const p = { steps: 2, size: 3, leak: 1, threshold: 1, surrogate: TRAINING_SURROGATE, constantCurrent: false };
    assert.throws(() => be.lifForward(new Float32Array(5), p, new Float32Array(6)), RangeError);
    assert.throws(() => be.avgPoolForward(new Float32Array(16), 1, 1, 4, 4, 2, new Float32Array(3)), RangeError);
  });

  test('empty shapes write zeros where the output is non-empty', () => {
    const be = native as NativeBackend;
    const s: ConvShape = { n: 0, cIn: 2, h: 4, w: 4, cOut: 3, kh: 3, kw: 3, stride: 1, pad: 1 };
    const dw = new Float32Array(54).fill(NaN);
    be.conv2dBackwardWeights(new Float32Array(0), new Float32Array(0), s, dw);
    assert.ok(dw.every((v) => v === 0));
    const c = new Float32Array(4).fill(NaN);
    be.gemm(false, false, 2, 2, 0, 1, new Float32Array(0), new Float32Array(0), 0, c);
    assert.ok(c.every((v) => v === 0));
    const p = { steps: 0, size: 3, leak: 1, threshold: 1, surrogate: TRAINING_SURROGATE, constantCurrent: true };
    const gc = new Float32Array(3).fill(NaN);
    be.lifBackward(new Float32Array(3), new Float32Array(0), p, gc);
    assert.ok(gc.every((v) => v === 0));
  });
});
