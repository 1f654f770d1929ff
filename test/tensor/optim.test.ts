/**
 * Optimizers against PyTorch: the fixtures' DIET-SNN trainer checkpoint holds the model one
 * AMSGrad step after weights.safetensors, with torch's optimizer state. After one step,
 * exp_avg = (1 - beta1) * g, so g is recoverable and our Adam must land on torch's weights.
 * SGD is checked against its closed form over several steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Tensor } from '../../src/tensor/tensor.js';
import { Adam } from '../../src/tensor/optim/adam.js';
import { Sgd } from '../../src/tensor/optim/sgd.js';
import { readTorchPtFile } from '../../src/io/load.js';
import { findStateDict } from '../../src/io/state-dict.js';
import { dictGet } from '../../src/io/pickle-values.js';
import { toFloat32, type NamedArray } from '../../src/io/arrays.js';
import { loadFixture, relErr, FIXTURES } from '../helpers/fixtures.js';

for (const name of ['vgg5-tiny-c10', 'vgg11-tiny-c100']) {
  test(`Adam (amsgrad) step reproduces torch's step in the ${name} trainer checkpoint`, () => {
    const f = loadFixture(name);
    const ckpt = readTorchPtFile(path.join(FIXTURES, name, 'trainer_checkpoint_legacy.pt')).value;
    const after = findStateDict(ckpt).tensors;
    const opt = dictGet(ckpt, 'optimizer');
    const group = (dictGet(opt, 'param_groups') as unknown[])[0];
    const state = dictGet(opt, 'state') as Map<unknown, unknown>;
    const keys = [...after.keys()];
    const params = new Map<string, Tensor>();
    keys.forEach((k, i) => {
      const before = f.weights.get(k)!;
      const t = new Tensor(Float32Array.from(before.data), after.get(k)!.shape, { requiresGrad: true });
      const s = state.get(i) ?? state.get(BigInt(i));
      const expAvg = toFloat32(dictGet(s, 'exp_avg') as NamedArray);
      t.grad = Float32Array.from(expAvg, (m) => m / (1 - 0.9));
      params.set(k, t);
    });
    assert.equal(dictGet(group, 'amsgrad'), true);
    const adam = new Adam(params, { lr: Number(dictGet(group, 'lr')), weightDecay: Number(dictGet(group, 'weight_decay')), amsgrad: true });
    adam.step();
    for (const k of keys) {
      const want = toFloat32(after.get(k)!);
      // compare the update itself (the weights are ~1e3 times larger than one step)
      const ours = Float32Array.from(params.get(k)!.data, (v, i) => v - f.weights.get(k)!.data[i]);
      const theirs = Float32Array.from(want, (v, i) => v - f.weights.get(k)!.data[i]);
      assert.ok(relErr(ours, theirs) < 1e-3, `${k}: update rel err ${relErr(ours, theirs)}`);
    }
    const saved = adam.stateDict();
    assert.equal(saved.step, 1);
    assert.ok(saved.buffers.has(`${keys[0]}.max_exp_avg_sq`));
  });
}

test('SGD with momentum and weight decay follows torch.optim.SGD', () => {
  const p = new Tensor(Float32Array.of(1, -2), [2], { requiresGrad: true });
  const sgd = new Sgd(new Map([['w', p]]), { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
  let buf = [0, 0];
  const w = [1, -2];
  for (let step = 0; step < 3; step++) {
    const g = [0.5 * w[0], 3];
    p.grad = Float32Array.from(g);
    sgd.step();
    const d = g.map((gi, i) => gi + 0.01 * w[i]);
    buf = step === 0 ? d : buf.map((b, i) => 0.9 * b + d[i]);
    for (let i = 0; i < 2; i++) w[i] -= 0.1 * buf[i];
    assert.ok(Math.abs(p.data[0] - w[0]) < 1e-6 && Math.abs(p.data[1] - w[1]) < 1e-6, `step ${step}: ${p.data} vs ${w}`);
  }
});
