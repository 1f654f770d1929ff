/**
 * Starting a spiking layer from a given membrane (HIRE's --carry-membrane): the LIF op against
 * the float64 reference started from U0 (spikes, final membrane, every gradient incl. the leak's
 * U0 term), and a model run split into two halves with the state carried equals one full run.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends } from '../../src/kernels/index.js';
import { onBackend } from '../helpers/backends.js';
import { Tensor, backward } from '../../src/tensor/tensor.js';
import { canPoolInScan, lif, lifPooled } from '../../src/snn/lif.js';
import { buildModel } from '../../src/snn/build.js';
import { loadStateDict } from '../../src/io/spec-keys.js';
import { Rng, refLifBackward, refLifForward } from '../kernels/reference.js';
import { loadFixture, relErr, vggSpecOf } from '../helpers/fixtures.js';
import { TRAINING_SURROGATE } from '../../src/snn/lif.js';

for (const backend of availableBackends()) {
  describe(`initial membrane on ${backend.name}`, () => {
    const run = (fn: () => void) => onBackend(backend, fn);

    for (const constantCurrent of [false, true]) {
      test(`lif from U0 matches the reference (constant current: ${constantCurrent})`, run(() => {
        const rng = new Rng(constantCurrent ? 11 : 12);
        const steps = 5;
        const size = 257;
        const p = { steps, size, leak: 0.93, threshold: 0.8, surrogate: TRAINING_SURROGATE, constantCurrent };
        const n = constantCurrent ? size : steps * size;
        const cur = Float32Array.from({ length: n }, () => rng.uniform(-0.4, 1.1));
        const u0 = Float32Array.from({ length: size }, () => rng.uniform(-0.5, 0.75));
        const gs = Float32Array.from({ length: steps * size }, () => rng.uniform(-1, 1));
        const current = new Tensor(Float32Array.from(cur), constantCurrent ? [size] : [steps * size], { requiresGrad: true });
        const leak = Tensor.scalar(p.leak, true);
        const threshold = Tensor.scalar(p.threshold, true);
        const out = lif(current, leak, threshold, { steps, constantCurrent, initialMembrane: u0, captureMembrane: true });
        const ref = refLifForward(cur, p, u0);
        assert.deepEqual(Array.from(out.spikes.data), Array.from(ref.spikes));
        assert.ok(relErr(out.finalMembrane!, ref.u.subarray((steps - 1) * size)) < 1e-5, 'final membrane');
        backward(out.spikes, gs);
        const g = refLifBackward(cur, gs, p, u0);
        assert.ok(relErr(current.grad!, g.gradCurrent) < 1e-5, 'current gradient');
        assert.ok(Math.abs(leak.grad![0] - g.gradLeak) <= 1e-5 * g.gradLeakScale, `leak ${leak.grad![0]} vs ${g.gradLeak}`);
        assert.ok(Math.abs(threshold.grad![0] - g.gradThreshold) <= 1e-5 * g.gradThresholdScale, 'threshold');
      }));
    }

    test('the fused spike+pool scan gives the final membrane too (HIRE --carry-membrane at full speed)', run(() => {
      const rng = new Rng(13);
      const [steps, n, c, h, w] = [3, 2, 3, 4, 6];
      const size = n * c * h * w;
      const p = { steps, size, leak: 0.9, threshold: 0.7, surrogate: TRAINING_SURROGATE, constantCurrent: false };
      const cur = Float32Array.from({ length: steps * size }, () => rng.uniform(-0.3, 1.2));
      const u0 = Float32Array.from({ length: size }, () => rng.uniform(-0.5, 0.6));
      const current = new Tensor(Float32Array.from(cur), [steps * n, c, h, w]);
      assert.ok(canPoolInScan(current));
      const out = lifPooled(current, Tensor.scalar(p.leak), Tensor.scalar(p.threshold), { steps, constantCurrent: false, initialMembrane: u0, captureMembrane: true });
      const ref = refLifForward(cur, p, u0);
      assert.equal(out.spikeCount, ref.spikes.reduce((a, b) => a + b, 0));
      assert.ok(relErr(out.finalMembrane!, ref.u.subarray((steps - 1) * size)) < 1e-5, 'final membrane');
      const plain = lif(current, Tensor.scalar(p.leak), Tensor.scalar(p.threshold), { steps, constantCurrent: false, initialMembrane: u0, captureMembrane: true });
      assert.deepEqual(out.finalMembrane, plain.finalMembrane, 'the same membrane as the unfused path');
    }));

    test('two halves with the membrane carried equal one full run', run(() => {
      const f = loadFixture('vgg5-tiny-c10');
      const model = buildModel(vggSpecOf(f.meta), f.meta.normalization);
      loadStateDict(model, f.weights);
      const xs = f.case.get('x01')!;
      const x = new Tensor(Float32Array.from(xs.data), xs.shape);
      const full = model.forward(x, { timesteps: 4 });
      const first = model.forward(x, { timesteps: 2, captureMembrane: true });
      const second = model.forward(x, { timesteps: 2, initialMembrane: first.finalMembrane });
      assert.equal(first.finalMembrane!.size, model.spikingLayers().length);
      const summed = first.logits.data.map((v, i) => v + second.logits.data[i]);
      assert.ok(relErr(summed, full.logits.data) < 1e-5, `logits rel err ${relErr(summed, full.logits.data)}`);
      full.spikeCounts.forEach((c, i) => assert.ok(Math.abs(first.spikeCounts[i] + second.spikeCounts[i] - c) <= 2, `layer ${i}`));
    }));
  });
}
