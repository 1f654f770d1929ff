/**
 * The seed's spiking VGG against the PyTorch golden fixtures, on every backend: logits,
 * spike counts, loss, gradients of the input and of every parameter, threshold search,
 * FGSM and 3-step PGD images.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onBackend } from '../helpers/backends.js';
import { findThresholds } from '../../src/snn/thresholds.js';
import { Fgsm } from '../../src/attacks/fgsm.js';
import { Pgd } from '../../src/attacks/pgd.js';
import type { SpikingModel } from '../../src/snn/model.js';
import { vggSpecOf, relErr, shareEqual, type Fixture } from '../helpers/fixtures.js';
import { checkAgainstFixture, describeFixture, fixtureModel, fixtureInput as input, TOL } from '../helpers/check-model.js';

const modelOf = (f: Fixture): SpikingModel => fixtureModel(f, vggSpecOf);

function labelsOf(f: Fixture): number[] {
  return Array.from(f.case.get('labels')!.data);
}

for (const name of ['vgg5-tiny-c10', 'vgg11-tiny-c100']) {
  describeFixture(name, modelOf, (fixture, backend) => {
    // the density crossovers pick per layer; force every event-driven kernel, then none
    for (const [what, density] of [['event-driven', '1'], ['dense', '-1']] as const) {
      test(`the same with ${what} kernels everywhere`, onBackend(backend, () => {
        const f = fixture();
        const saved = process.env.HIRE_SNN_SPARSE_MAX_DENSITY;
        process.env.HIRE_SNN_SPARSE_MAX_DENSITY = density;
        try {
          checkAgainstFixture(modelOf(f), f);
        } finally {
          if (saved === undefined) delete process.env.HIRE_SNN_SPARSE_MAX_DENSITY;
          else process.env.HIRE_SNN_SPARSE_MAX_DENSITY = saved;
        }
      }));
    }

    test('threshold search gives the raw 99.7th-percentile thresholds', onBackend(backend, () => {
      const f = fixture();
      const model = modelOf(f);
      const ti = f.meta.threshold_init!;
      const res = findThresholds(model, input(f, 'calib01'), { timesteps: f.meta.timesteps, percentile: ti.percentile, scaling: ti.scaling });
      const raw = res.raw.map((r) => r.value);
      assert.equal(raw.length, ti.raw_thresholds.length);
      raw.forEach((v, i) => assert.ok(Math.abs(v - ti.raw_thresholds[i]) <= 1e-5 * ti.raw_thresholds[i], `layer ${i}: ${v} vs ${ti.raw_thresholds[i]}`));
      const first = model.spikingLayers()[0].index;
      assert.ok(Math.abs(model.params.get(`threshold.t${first}`)!.item() - raw[0] * ti.scaling) < 1e-6 * raw[0]);
      assert.equal(model.params.get(`leak.l${first}`)!.item(), 1);
    }));

    test('FGSM and 3-step PGD images and their logits match', onBackend(backend, () => {
      const f = fixture();
      const model = modelOf(f);
      const x = f.case.get('x01')!;
      const batch = { x01: x.data, shape: x.shape, labels: labelsOf(f) };
      const ctx = { model, timesteps: f.meta.timesteps };
      const a = f.meta.attacks!;
      const fgsm = new Fgsm(a.fgsm.eps).perturb(ctx, batch);
      assert.ok(shareEqual(fgsm, f.case.get('fgsm_x01')!.data) > 0.99);
      const pgd = new Pgd({ epsilon: a.pgd3.eps, steps: a.pgd3.steps, stepSize: a.pgd3.step, randomStart: false }).perturb(ctx, batch);
      assert.ok(shareEqual(pgd, f.case.get('pgd3_x01')!.data) > 0.99);
      for (const key of ['fgsm', 'pgd3']) {
        const logits = model.forward(input(f, `${key}_x01`), { timesteps: f.meta.timesteps }).logits;
        assert.ok(relErr(logits.data, f.case.get(`${key}_logits`)!.data) < TOL, `${key} logits`);
      }
    }));
  });
}
