/** The fixture checks every model test makes: forward, spikes, loss and every gradient vs PyTorch. */
import assert from 'node:assert/strict';
import { Tensor, backward } from '../../src/tensor/tensor.js';
import { crossEntropy } from '../../src/tensor/ops/cross-entropy.js';
import type { SpikingModel } from '../../src/snn/model.js';
import { relErr, type Fixture } from './fixtures.js';

export const TOL = 1e-4;

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
