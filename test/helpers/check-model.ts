/**
 * The fixture checks every model test makes: forward, spikes, loss and every gradient vs PyTorch,
 * on every backend (`describeFixture`), with the fixture's model and inputs.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, backward } from '../../src/tensor/tensor.js';
import { crossEntropy } from '../../src/tensor/ops/cross-entropy.js';
import { availableBackends, type Backend } from '../../src/kernels/index.js';
import { buildModel } from '../../src/snn/build.js';
import { loadStateDict } from '../../src/io/spec-keys.js';
import type { SpikingModel } from '../../src/snn/model.js';
import type { ModelSpec } from '../../src/snn/spec.js';
import { onBackend } from './backends.js';
import { loadFixture, relErr, type Fixture, type FixtureMeta } from './fixtures.js';

export const TOL = 1e-4;

/** the fixture's model, its spec read from the meta by `specOf`, with the fixture's weights */
export function fixtureModel(f: Fixture, specOf: (meta: FixtureMeta) => ModelSpec): SpikingModel {
  const model = buildModel(specOf(f.meta), f.meta.normalization);
  loadStateDict(model, f.weights, `${f.name}/weights.safetensors`);
  return model;
}

/** a copy of the fixture's case tensor `key` as an input */
export function fixtureInput(f: Fixture, key = 'x01', requiresGrad = false): Tensor {
  const x = f.case.get(key)!;
  return new Tensor(Float32Array.from(x.data), x.shape, { requiresGrad });
}

/**
 * Fixture `name`'s suite on every available backend: first the check every model passes
 * (checkAgainstFixture), then the tests `more` adds, which read the loaded fixture by `fixture()`.
 */
export function describeFixture(
  name: string,
  modelOf: (f: Fixture) => SpikingModel,
  more: (fixture: () => Fixture, backend: Backend) => void = () => {},
): void {
  for (const backend of availableBackends()) {
    describe(`${name} on ${backend.name}`, () => {
      let f: Fixture;
      before(() => {
        f = loadFixture(name);
      });

      test('logits, spike counts, loss and every gradient match PyTorch', onBackend(backend, () => {
        checkAgainstFixture(modelOf(f), f);
      }));

      more(() => f, backend);
    });
  }
}

export function checkAgainstFixture(model: SpikingModel, f: Fixture): void {
  const xs = f.case.get('x01')!;
  const x = new Tensor(Float32Array.from(xs.data), xs.shape, { requiresGrad: true });
  const out = model.forward(x, { timesteps: f.meta.timesteps });
  const logitsErr = relErr(out.logits.data, f.case.get('logits')!.data);
  assert.ok(logitsErr < TOL, `logits rel err ${logitsErr}`);
  const expectedSpikes = f.case.get('spike_counts')!.data;
  assert.equal(out.spikeCounts.length, expectedSpikes.length);
  // spike counts: exact, or off by a handful where a membrane lands within rounding of its threshold
  out.spikeCounts.forEach((c, i) => assert.ok(Math.abs(c - expectedSpikes[i]) <= 5, `layer ${i}: ${c} spikes, PyTorch ${expectedSpikes[i]}`));
  const loss = crossEntropy(out.logits, Array.from(f.case.get('labels')!.data));
  assert.ok(Math.abs(loss.item() - f.meta.loss.value) < TOL * Math.abs(f.meta.loss.value), `loss ${loss.item()} vs ${f.meta.loss.value}`);
  backward(loss);
  const gx = relErr(x.grad!, f.case.get('grad_x01')!.data);
  assert.ok(gx < TOL, `grad_x01 rel err ${gx}`);
  // weights: per tensor. Thresholds and leaks are 0-dim sums over every neuron and step with
  // heavy cancellation, so (as the fixtures' max-abs over max-abs measure allows) they are
  // compared as one vector per kind.
  const groups = new Map<string, { got: number[]; want: number[] }>();
  for (const [key, p] of model.params) {
    const expected = f.case.get(`grad.${key}`);
    assert.ok(expected, `fixture has grad.${key}`);
    if (p.size === 1) {
      const kind = key.split('.')[0];
      const g = groups.get(kind) ?? { got: [], want: [] };
      g.got.push(p.grad![0]);
      g.want.push(expected.data[0]);
      groups.set(kind, g);
      continue;
    }
    const err = relErr(p.grad!, expected.data);
    assert.ok(err < TOL, `grad.${key} rel err ${err}`);
  }
  assert.deepEqual([...groups.keys()].sort(), ['leak', 'threshold']);
  for (const [kind, g] of groups) assert.ok(relErr(g.got, g.want) < TOL, `${kind} grads rel err ${relErr(g.got, g.want)}`);
}
