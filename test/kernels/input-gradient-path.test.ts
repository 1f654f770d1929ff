/**
 * The attacks' input gradient (dL/dx only) runs no grad-weight kernel and allocates no
 * parameter gradient, on both backends and on the dense and the event-driven paths; a training
 * backward of the same model, counted the same way, does run them (so the count can fail).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, type Backend } from '../../src/kernels/index.js';
import { Tensor, backward } from '../../src/tensor/tensor.js';
import { crossEntropy } from '../../src/tensor/ops/cross-entropy.js';
import { inputGradient } from '../../src/attacks/base.js';
import { fixtureTarget } from '../attacks/helpers.js';
import { onBackend } from '../helpers/backends.js';

/** the kernels that only a parameter gradient needs (gemm with A transposed: the linear's dW) */
const WEIGHT_KERNELS = ['conv2dBackwardWeights', 'conv2dBackwardWeightsSparse', 'linearBackwardWeightsSparse', 'adamStep', 'sgdStep'];

/** be with every weight-gradient call counted in calls */
function counting(be: Backend, calls: Map<string, number>): Backend {
  const note = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  return new Proxy(be, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string' || typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (key === 'gemm') return (...args: unknown[]) => (args[0] === true && note('gemm(transA)'), fn.apply(target, args));
      if (WEIGHT_KERNELS.includes(key)) return (...args: unknown[]) => (note(key), fn.apply(target, args));
      return fn.bind(target);
    },
  });
}

const saved = process.env.HIRE_SNN_SPARSE_MAX_DENSITY;
after(() => {
  if (saved === undefined) delete process.env.HIRE_SNN_SPARSE_MAX_DENSITY;
  else process.env.HIRE_SNN_SPARSE_MAX_DENSITY = saved;
});

for (const be of availableBackends()) {
  describe(`input-gradient path on the ${be.name} backend`, () => {
    // -1: dense kernels only; 1: event-driven wherever possible
    for (const density of ['-1', '1']) {
      test(`no grad-weight kernel or parameter gradient (HIRE_SNN_SPARSE_MAX_DENSITY=${density})`, () => {
        process.env.HIRE_SNN_SPARSE_MAX_DENSITY = density;
        const t = fixtureTarget();
        const calls = new Map<string, number>();
        onBackend(counting(be, calls), () => {
          const { grad } = inputGradient(t.ctx, t.batch.x01, t.batch);
          assert.ok(grad.some((g) => g !== 0), 'the input gradient is not all zero');
          assert.deepEqual([...calls], [], 'weight-gradient kernels on the input-gradient path');
          for (const [name, p] of t.model.params) assert.equal(p.grad, null, `${name} got a gradient`);

          const x = new Tensor(Float32Array.from(t.batch.x01), t.batch.shape);
          backward(crossEntropy(t.model.forward(x, { timesteps: t.ctx.timesteps }).logits, t.batch.labels));
        })();
        const convWeights = (calls.get('conv2dBackwardWeights') ?? 0) + (calls.get('conv2dBackwardWeightsSparse') ?? 0);
        const linearWeights = (calls.get('gemm(transA)') ?? 0) + (calls.get('linearBackwardWeightsSparse') ?? 0);
        assert.ok(convWeights > 0 && linearWeights > 0, `a training backward counted ${JSON.stringify([...calls])}`);
        if (density === '1') assert.ok((calls.get('conv2dBackwardWeightsSparse') ?? 0) > 0, 'the event-driven grad-weight ran');
      });
    }
  });
}
