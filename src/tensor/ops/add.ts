/** Elementwise sum of two tensors of the same shape (residual shortcuts). */
import { Tensor, opResult, accumulateGrad, adoptGrad } from '../tensor.js';

export function add(a: Tensor, b: Tensor): Tensor {
  if (a.size !== b.size) throw new Error(`add: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  const y = new Float32Array(a.size);
  for (let i = 0; i < y.length; i++) y[i] = a.data[i] + b.data[i];
  return opResult(y, a.shape, [a, b], (out) => {
    // out.grad is released after this (backward()): a takes it over, b gets a copy
    adoptGrad(a, out.grad!);
    accumulateGrad(b, out.grad!);
  });
}
