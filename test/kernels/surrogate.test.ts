/**
 * The attack-time surrogates of the LIF backward (backend.ts: Surrogate), on every backend:
 * each kind against its float64 reference, plain and fused with the 2x2 pool, with a constant
 * current or not; the references against central finite differences of what they differentiate.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, SURROGATE_KINDS, type LifParams, type Surrogate } from '../../src/kernels/index.js';
import { TRAINING_SURROGATE } from '../../src/snn/lif.js';
import { Rng, SURROGATES, refAvgPoolBackward, refLifBackward, refLifForward, frozenSoftLifLoss } from './reference.js';
import { relErr } from '../helpers/fixtures.js';

const name = (s: Surrogate): string => `${s.kind}(gamma ${s.gamma}, width ${s.width})`;
const TOL = 1e-5;

const nonzero = (a: Float32Array): number => a.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);

function assertScalar(actual: number, expected: number, scale: number, what: string): void {
  const bound = TOL * Math.max(Math.abs(expected), scale, 1e-12);
  assert.ok(Math.abs(actual - expected) <= bound, `${what}: ${actual} vs ${expected}`);
}

test('every surrogate kind is covered here', () => {
  assert.deepEqual([...new Set(SURROGATES.map((s) => s.kind))].sort(), [...SURROGATE_KINDS].sort());
});

// [planes, height, width, steps]: one short block; several 128-neuron blocks with 16-wide rows
const SHAPES: [number, number, number, number][] = [[3, 4, 8, 3], [4, 16, 16, 5]];

for (const be of availableBackends()) {
  describe(`LIF surrogates: ${be.name} backend`, () => {
    for (const s of SURROGATES) {
      for (const constantCurrent of [false, true]) {
        test(`${name(s)} vs float64 reference, plain and pooled${constantCurrent ? ', constant current' : ''}`, () => {
          for (const [planes, h, w, steps] of SHAPES) {
            const rng = new Rng(planes * 31 + steps + (constantCurrent ? 7 : 0));
            const size = planes * h * w;
            const p: LifParams = { steps, size, leak: 0.9, threshold: 0.7, surrogate: s, constantCurrent };
            const what = `${name(s)} ${planes}x${h}x${w} T${steps}`;
            // currents around the threshold: membranes both sides of it, means inside and outside (0, thr)
            const current = rng.array(constantCurrent ? size : steps * size, -0.6, 1.3);
            const rows = (steps * size) / w;

            const gradSpikes = rng.normalArray(steps * size);
            const ref = refLifBackward(current, gradSpikes, p);
            const got = new Float32Array(current.length).fill(NaN);
            const g = be.lifBackward(current, gradSpikes, p, got);
            const err = relErr(got, ref.gradCurrent);
            assert.ok(err <= TOL, `${what}: gradCurrent relative error ${err.toExponential(2)}`);
            assertScalar(g.gradLeak, ref.gradLeak, ref.gradLeakScale, `${what}: gradLeak`);
            assertScalar(g.gradThreshold, ref.gradThreshold, ref.gradThresholdScale, `${what}: gradThreshold`);
            assert.equal(g.gradCurrentNonzero, nonzero(got), `${what}: nonzero count`);
            const zeros = got.length - nonzero(got);
            if (s.kind === 'ste' || s.kind === 'exp' || s.kind === 'sigmoid') assert.equal(zeros, 0, `${what}: no neuron is cut off`);
            else assert.ok(zeros > 0 && zeros < got.length, `${what}: some neurons get no gradient, some do`);

            // pooled: the reference through the pool's backward (quarters, exact), then the scan
            const gradPooled = rng.array((steps * size) / 4, -1, 1);
            const refPooled = refLifBackward(current, refAvgPoolBackward(gradPooled, 1, 1, rows, w, 2), p);
            const gotPooled = new Float32Array(current.length).fill(NaN);
            const gp = be.lifBackwardPooled(current, gradPooled, p, w, gotPooled);
            const errPooled = relErr(gotPooled, refPooled.gradCurrent);
            assert.ok(errPooled <= TOL, `${what}: pooled gradCurrent relative error ${errPooled.toExponential(2)}`);
            assertScalar(gp.gradLeak, refPooled.gradLeak, refPooled.gradLeakScale, `${what}: pooled gradLeak`);
            assertScalar(gp.gradThreshold, refPooled.gradThreshold, refPooled.gradThresholdScale, `${what}: pooled gradThreshold`);
            assert.equal(gp.gradCurrentNonzero, nonzero(gotPooled), `${what}: pooled nonzero count`);
          }
        });
      }
    }

    test('each kind gives its own gradient (the kind, gamma and width all reach the kernel)', () => {
      const rng = new Rng(5);
      const size = 256;
      const steps = 4;
      const current = rng.array(steps * size, -0.6, 1.3);
      const gradSpikes = rng.normalArray(steps * size);
      const run = (s: Surrogate): Float32Array => {
        const out = new Float32Array(current.length);
        be.lifBackward(current, gradSpikes, { steps, size, leak: 0.9, threshold: 0.7, surrogate: s, constantCurrent: false }, out);
        return out;
      };
      const grads = SURROGATES.map(run);
      for (let a = 0; a < grads.length; a++) {
        for (let b = a + 1; b < grads.length; b++) {
          assert.ok(relErr(grads[a], grads[b]) > 0.05, `${name(SURROGATES[a])} and ${name(SURROGATES[b])} should differ`);
        }
      }
    });

    test('refuses unknown kinds, non-finite gamma and non-positive widths', () => {
      const p: LifParams = { steps: 2, size: 8, leak: 1, threshold: 1, surrogate: TRAINING_SURROGATE, constantCurrent: false };
      const cur = new Float32Array(16);
      const bad: Surrogate[] = [
        { kind: 'tanh' as Surrogate['kind'], gamma: 1, width: 1 },
        { kind: 'exp', gamma: NaN, width: 1 },
        { kind: 'pwl', gamma: 0.3, width: 0 },
        { kind: 'rect', gamma: 0.3, width: -1 },
      ];
      for (const surrogate of bad) {
        assert.throws(() => be.lifBackward(cur, cur, { ...p, surrogate }, new Float32Array(16)), RangeError, JSON.stringify(surrogate));
        assert.throws(() => be.lifBackwardPooled(cur, new Float32Array(4), { ...p, surrogate }, 4, new Float32Array(16)), RangeError);
      }
    });
  });
}

describe('surrogate references vs central finite differences', () => {
  const h = 1e-6;
  const fdTol = 1e-4;
  for (const s of SURROGATES) {
    for (const constantCurrent of [false, true]) {
      test(`${name(s)}${constantCurrent ? ', constant current' : ''}`, () => {
        const rng = new Rng(constantCurrent ? 3 : 4);
        const p: LifParams = { steps: 6, size: 5, leak: 0.8, threshold: 0.7, surrogate: s, constantCurrent };
        const gradSpikes = rng.normalArray(p.steps * p.size);
        const current = Float64Array.from(rng.array(constantCurrent ? p.size : p.steps * p.size, -0.4, 1.2));
        const frozen = refLifForward(current, p).spikes;
        // rate: L = sum_i (sum_t gradSpike_t,i) clamp(mean current_i / thr, 0, 1); the others: the frozen-reset loss
        const loss = (cur: ArrayLike<number>, leak: number, thr: number): number => {
          if (s.kind !== 'rate') return frozenSoftLifLoss(cur, gradSpikes, frozen, p, leak, thr);
          let l = 0;
          for (let i = 0; i < p.size; i++) {
            let mean = 0;
            let g = 0;
            for (let t = 0; t < p.steps; t++) {
              mean += (constantCurrent ? cur[i] : cur[t * p.size + i]) / p.steps;
              g += gradSpikes[t * p.size + i];
            }
            l += g * Math.min(Math.max(mean / thr, 0), 1);
          }
          return l;
        };
        const fd = (f: (d: number) => number): number => (f(h) - f(-h)) / (2 * h);
        const fdCurrent = Array.from(current, (_, i) => fd((d) => {
          const c = Float64Array.from(current);
          c[i] += d;
          return loss(c, p.leak, p.threshold);
        }));
        const ref = refLifBackward(current, gradSpikes, p);
        assert.ok(relErr(ref.gradCurrent, fdCurrent) <= fdTol, `gradCurrent vs FD: ${relErr(ref.gradCurrent, fdCurrent)}`);
        if (s.kind === 'rate') return; // the rate backward gives the leak and threshold no gradient by definition
        const fdLeak = fd((d) => loss(current, p.leak + d, p.threshold));
        const fdThr = fd((d) => loss(current, p.leak, p.threshold + d));
        assert.ok(Math.abs(ref.gradLeak - fdLeak) <= fdTol * Math.max(1, Math.abs(fdLeak)), `gradLeak ${ref.gradLeak} vs FD ${fdLeak}`);
        assert.ok(Math.abs(ref.gradThreshold - fdThr) <= fdTol * Math.max(1, Math.abs(fdThr)), `gradThreshold ${ref.gradThreshold} vs FD ${fdThr}`);
      });
    }
  }
});
