/**
 * Optimizer kernels (and the elementwise mulRepeated) on every backend: against a float64 transcription of torch.optim.Adam /
 * SGD (PyTorch 1.13) over several steps, AMSGrad on and off, with and without weight decay,
 * momentum and Nesterov; lengths that are not multiples of a SIMD width or chunk.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends } from '../../src/kernels/index.js';
import { Rng } from './reference.js';

/** max |a - b| relative to max |b| */
function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

for (const be of availableBackends()) {
  describe(`optimizer kernels: ${be.name} backend`, () => {
    for (const [amsgrad, weightDecay, len] of [[true, 0, 37], [true, 5e-4, 100_003], [false, 0.01, 1000], [false, 0, 1]] as const) {
      test(`adamStep follows torch.optim.Adam: amsgrad ${amsgrad}, weight decay ${weightDecay}, ${len} values`, () => {
        const rng = new Rng(len + (amsgrad ? 1 : 0));
        const p = rng.array(len);
        const m = new Float32Array(len);
        const v = new Float32Array(len);
        const vmax = amsgrad ? new Float32Array(len) : null;
        const rp = Float64Array.from(p);
        const rm = new Float64Array(len);
        const rv = new Float64Array(len);
        const rvmax = new Float64Array(len);
        const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, step: 0 };
        for (let step = 1; step <= 4; step++) {
          // gradients shrink at some steps so AMSGrad's max matters
          const g = rng.array(len, -1, 1).map((x) => x * (step === 3 ? 0.01 : 1));
          be.adamStep(p, g, m, v, vmax, { ...h, step });
          const bc1 = 1 - h.beta1 ** step;
          const bc2 = Math.sqrt(1 - h.beta2 ** step);
          for (let i = 0; i < len; i++) {
            const gi = g[i] + weightDecay * rp[i];
            rm[i] = h.beta1 * rm[i] + (1 - h.beta1) * gi;
            rv[i] = h.beta2 * rv[i] + (1 - h.beta2) * gi * gi;
            rvmax[i] = Math.max(rvmax[i], rv[i]);
            rp[i] -= (h.lr / bc1) * rm[i] / (Math.sqrt(amsgrad ? rvmax[i] : rv[i]) / bc2 + h.eps);
          }
        }
        // the updates (not the weights, ~1e3 times larger) must match
        const orig = new Rng(len + (amsgrad ? 1 : 0)).array(len);
        const ours = Float64Array.from(p, (x, i) => x - orig[i]);
        const ref = Float64Array.from(rp, (x, i) => x - orig[i]);
        assert.ok(maxRelErr(ours, ref) < 1e-3, `update rel err ${maxRelErr(ours, ref)}`);
        assert.ok(maxRelErr(m, rm) < 1e-4, 'exp_avg');
        assert.ok(maxRelErr(v, rv) < 1e-4, 'exp_avg_sq');
        if (vmax) assert.ok(maxRelErr(vmax, rvmax) < 1e-4, 'max_exp_avg_sq');
      });
    }

    for (const [momentum, nesterov, weightDecay] of [[0, false, 0], [0.9, false, 1e-4], [0.9, true, 0.01]] as const) {
      test(`sgdStep follows torch.optim.SGD: momentum ${momentum}, nesterov ${nesterov}, weight decay ${weightDecay}`, () => {
        const len = 70_001;
        const rng = new Rng(99);
        const p = rng.array(len);
        const rp = Float64Array.from(p);
        const buf = momentum !== 0 ? new Float32Array(len) : null;
        const rbuf = new Float64Array(len);
        for (let step = 0; step < 3; step++) {
          const g = rng.array(len);
          be.sgdStep(p, g, buf, { lr: 0.1, momentum, weightDecay, nesterov, firstStep: step === 0 });
          for (let i = 0; i < len; i++) {
            let d = g[i] + weightDecay * rp[i];
            if (momentum !== 0) {
              rbuf[i] = step === 0 ? d : momentum * rbuf[i] + d;
              d = nesterov ? d + momentum * rbuf[i] : rbuf[i];
            }
            rp[i] -= 0.1 * d;
          }
        }
        assert.ok(maxRelErr(p, rp) < 1e-6, `rel err ${maxRelErr(p, rp)}`);
      });
    }

    test('mulRepeated: mask repeated over the steps; lengths across chunk boundaries; bad lengths', () => {
      for (const [per, reps] of [[1, 5], [7, 3], [70_001, 3], [16_384, 4], [3, 0]]) {
        const rng = new Rng(per + reps);
        const x = rng.array(per * reps);
        const mask = rng.array(per);
        const y = new Float32Array(x.length).fill(NaN);
        be.mulRepeated(x, mask, y);
        for (let i = 0; i < x.length; i++) assert.equal(y[i], Math.fround(x[i] * mask[i % per]), `per ${per}, element ${i}`);
      }
      assert.throws(() => be.mulRepeated(new Float32Array(10), new Float32Array(3), new Float32Array(10)), RangeError);
    });

    test('optimizer kernels reject state buffers of another length', () => {
      const p = new Float32Array(8);
      const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };
      if (be.name === 'native') {
        assert.throws(() => be.adamStep(p, new Float32Array(8), new Float32Array(7), new Float32Array(8), null, h), RangeError);
      }
      be.adamStep(p, new Float32Array(8).fill(1), new Float32Array(8), new Float32Array(8), null, h);
      assert.ok(p.every((x) => Math.abs(x + 1e-3) < 1e-6), `first Adam step moves by -lr: ${p[0]}`);
    });
  });
}
