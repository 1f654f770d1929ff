/** Reshape: same data, new shape; the gradient flows back unchanged. */
import { Tensor, opResult, adoptGrad } from '../tensor.js';

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== x.size) throw new Error(`cannot reshape [${x.shape.join(', ')}] to [${shape.join(', ')}]`);
  return opResult(x.data, shape, [x], (out) => adoptGrad(x, out.grad!));
}
