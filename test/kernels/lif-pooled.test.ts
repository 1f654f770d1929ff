/**
 * The LIF scan fused with its 2x2 average pool gives exactly (bit for bit) what the two
 * kernels give one after the other, forward and backward, on every backend.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, type LifParams } from '../../src/kernels/index.js';
import { Rng } from './reference.js';
import { TRAINING_SURROGATE } from '../../src/snn/lif.js';

const nonzero = (a: Float32Array): number => a.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);

// [planes (images x channels), height, width, steps, constant current]
const CASES: [number, number, number, number, boolean][] = [
  [3, 4, 2, 3, false],
  [5, 8, 8, 4, false],
  [2, 6, 16, 2, true],
  [4, 32, 32, 3, false], // several blocks per plane (128-neuron blocks = 4 rows)
  [3, 10, 64, 2, false], // a row pair is a whole block
  [2, 4, 12, 3, true], // 128 is not a multiple of the row pair: shorter blocks
];

for (const be of availableBackends()) {
  describe(`lifForwardPooled / lifBackwardPooled: ${be.name} backend`, () => {
    for (const [planes, h, w, steps, constantCurrent] of CASES) {
      test(`= lif then avg pool: ${planes} planes of ${h}x${w}, ${steps} steps${constantCurrent ? ', constant current' : ''}`, () => {
        const rng = new Rng(planes * 7 + h * w + steps);
        const size = planes * h * w;
        const p: LifParams = { steps, size, leak: 0.93, threshold: 0.6, surrogate: TRAINING_SURROGATE, constantCurrent };
        const current = rng.array(constantCurrent ? size : steps * size, -0.5, 1.2);
        const rows = (steps * size) / w; // all planes' rows pool as one tall plane

        const spikes = new Float32Array(steps * size);
        const count = be.lifForward(current, p, spikes);
        const expected = new Float32Array((steps * size) / 4);
        be.avgPoolForward(spikes, 1, 1, rows, w, 2, expected);
        const pooled = new Float32Array(expected.length).fill(NaN);
        const counts = be.lifForwardPooled(current, p, w, pooled);
        assert.deepEqual(pooled, expected);
        assert.equal(counts.spikes, count);
        assert.equal(counts.pooledNonzero, nonzero(expected));
        assert.ok(count > 0 && count < steps * size, 'some neurons fire, some do not');

        const gradPooled = rng.array(expected.length, -1, 1);
        const gradSpikes = new Float32Array(steps * size);
        be.avgPoolBackward(gradPooled, 1, 1, rows, w, 2, gradSpikes);
        const want = new Float32Array(current.length);
        const g = be.lifBackward(current, gradSpikes, p, want);
        const got = new Float32Array(current.length).fill(NaN);
        const gp = be.lifBackwardPooled(current, gradPooled, p, w, got);
        assert.deepEqual(got, want);
        assert.equal(gp.gradLeak, g.gradLeak);
        assert.equal(gp.gradThreshold, g.gradThreshold);
        assert.equal(gp.gradCurrentNonzero, nonzero(want));
      });
    }

    test('refuses odd widths, widths over 64 and partial row pairs', () => {
      const p: LifParams = { steps: 1, size: 4 * 66, leak: 1, threshold: 1, surrogate: TRAINING_SURROGATE, constantCurrent: false };
      const current = new Float32Array(p.size);
      assert.throws(() => be.lifForwardPooled(current, p, 66, new Float32Array(p.size / 4)), /width/);
      assert.throws(() => be.lifForwardPooled(current, { ...p, size: 3 * 8 }, 3, new Float32Array(6)), /width/);
      assert.throws(() => be.lifForwardPooled(current, { ...p, size: 12 }, 4, new Float32Array(3)), /row pairs/);
      assert.throws(() => be.lifBackwardPooled(current, new Float32Array(p.size / 4), p, 66, new Float32Array(p.size)), /width/);
    });
  });
}
