/** Noted nonzero counts (LIF spikes, pooled spikes) are the true counts, on every backend. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends } from '../../src/kernels/index.js';
import { onBackend } from '../helpers/backends.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { lif } from '../../src/snn/lif.js';
import { avgPool2d } from '../../src/tensor/ops/avg-pool.js';
import { reshape } from '../../src/tensor/ops/reshape.js';
import { nonzeroCount } from '../../src/tensor/nonzero.js';
import { Rng } from '../kernels/reference.js';

const scan = (a: Float32Array): number => a.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);

for (const backend of availableBackends()) {
  test(`nonzeroCount of LIF spikes, pooled spikes and their reshape is the true count (${backend.name})`, onBackend(backend, () => {
    const steps = 4;
    const current = new Tensor(new Rng(3).array(steps * 2 * 8 * 6 * 6, -1, 2), [steps * 2, 8, 6, 6]);
    const one = (v: number) => new Tensor(Float32Array.of(v), []);
    const { spikes, spikeCount } = lif(current, one(0.9), one(1), { steps, constantCurrent: false });
    const count = scan(spikes.data);
    assert.ok(count > 0 && count < spikes.size);
    assert.equal(spikeCount, count);
    assert.equal(nonzeroCount(spikes.data), count);
    const pooled = avgPool2d(spikes, 2);
    assert.equal(nonzeroCount(pooled.data), scan(pooled.data));
    const flat = reshape(pooled, [pooled.shape[0], pooled.size / pooled.shape[0]]);
    assert.equal(nonzeroCount(flat.data), scan(pooled.data));
    // a buffer nobody noted is scanned
    const fresh = Float32Array.from(pooled.data);
    assert.equal(nonzeroCount(fresh), scan(pooled.data));
  }));
}
