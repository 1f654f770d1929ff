/** The buffer pool: what is recycled, what never is, and that releasing a tape changes no number. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outputBuffer, recycle, releasingBuffers, clearBufferPool } from '../../src/tensor/buffer.js';
import { noteNonzero, nonzeroCount } from '../../src/tensor/nonzero.js';
import { Tensor, backward, noGrad } from '../../src/tensor/tensor.js';
import { conv2d } from '../../src/tensor/ops/conv2d.js';
import { linear } from '../../src/tensor/ops/linear.js';
import { reshape } from '../../src/tensor/ops/reshape.js';
import { sumSteps } from '../../src/tensor/ops/step-ops.js';
import { crossEntropy } from '../../src/tensor/ops/cross-entropy.js';
import { lif } from '../../src/snn/lif.js';
import { Rng } from '../kernels/reference.js';

const BIG = 1 << 16;

test('a recycled buffer is handed out again for its length, once', () => {
  clearBufferPool();
  const a = outputBuffer(BIG);
  recycle(a);
  recycle(a); // twice: still one entry
  assert.equal(outputBuffer(BIG), a);
  assert.notEqual(outputBuffer(BIG), a);
  assert.notEqual(outputBuffer(BIG + 1), a);
});

test('small buffers and views into a larger buffer are never pooled', () => {
  clearBufferPool();
  const small = outputBuffer(16);
  recycle(small);
  assert.notEqual(outputBuffer(16), small);
  const whole = new Float32Array(2 * BIG);
  const view = whole.subarray(BIG);
  recycle(view);
  assert.notEqual(outputBuffer(BIG).buffer, whole.buffer);
});

test('a recycled buffer loses its noted nonzero count', () => {
  clearBufferPool();
  const a = outputBuffer(BIG).fill(0);
  noteNonzero(a, 5);
  recycle(a);
  const b = outputBuffer(BIG);
  assert.equal(b, a);
  b.fill(0);
  b[3] = 1;
  assert.equal(nonzeroCount(b), 1);
});

test('releasingBuffers recycles what the forward took except the kept result', () => {
  clearBufferPool();
  let inner: Float32Array | undefined;
  const kept = releasingBuffers(() => {
    inner = outputBuffer(BIG);
    return outputBuffer(BIG);
  }, (r) => [r]);
  assert.equal(outputBuffer(BIG), inner);
  assert.notEqual(outputBuffer(BIG), kept);
});

/** input gradient and loss of conv -> LIF -> linear over 2 steps, big enough to be pooled */
function inputGradient(release: boolean): { grad: Float32Array; loss: number; logits: Float32Array } {
  const rng = new Rng(11);
  const steps = 2;
  const x = new Tensor(rng.array(4 * 8 * 32 * 32, 0, 1), [4, 8, 32, 32], { requiresGrad: true });
  const w = new Tensor(rng.array(16 * 8 * 9, -0.3, 0.3), [16, 8, 3, 3]);
  const fc = new Tensor(rng.array(10 * 16 * 32 * 32, -0.05, 0.05), [10, 16 * 32 * 32]);
  const one = (v: number) => new Tensor(Float32Array.of(v), []);
  const current = conv2d(x, w, { pad: 1 });
  const { spikes } = lif(current, one(0.9), one(0.5), { steps, constantCurrent: true });
  const flat = reshape(spikes, [spikes.shape[0], spikes.size / spikes.shape[0]]);
  const logits = linear(sumSteps(flat, steps), fc);
  const loss = crossEntropy(logits, [1, 2, 3, 4]);
  backward(loss, undefined, release ? { releaseTape: true, keep: [logits] } : {});
  // the next step's buffers come from the pool: they must not clobber what was kept
  if (release) noGrad(() => conv2d(x, w, { pad: 1 })).data.fill(7);
  return { grad: Float32Array.from(x.grad!), loss: loss.item(), logits: Float32Array.from(logits.data) };
}

test('releasing the tape after backward gives the same gradient, loss and kept logits', () => {
  clearBufferPool();
  const plain = inputGradient(false);
  const released = inputGradient(true);
  assert.ok(plain.grad.some((v) => v !== 0));
  assert.deepEqual(released.grad, plain.grad);
  assert.equal(released.loss, plain.loss);
  assert.deepEqual(released.logits, plain.logits);
});

test('a second backward through a released graph fails instead of reading reused buffers', () => {
  clearBufferPool();
  const rng = new Rng(5);
  const x = new Tensor(rng.array(4 * 8 * 32 * 32, 0, 1), [4, 8, 32, 32], { requiresGrad: true });
  const w = new Tensor(rng.array(8 * 8 * 9, -0.3, 0.3), [8, 8, 3, 3]);
  const y = conv2d(conv2d(x, w, { pad: 1 }), w, { pad: 1 });
  const seed = new Float32Array(y.size).fill(1);
  backward(y, seed, { releaseTape: true, keep: [y] });
  assert.throws(() => backward(y, seed), /released/);
});
