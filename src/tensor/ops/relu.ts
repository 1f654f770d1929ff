/** ReLU, for the ANN that is pretrained before conversion. */
import { Tensor, opResult, adoptGrad } from '../tensor.js';

export function relu(x: Tensor): Tensor {
  const y = new Float32Array(x.size);
  for (let i = 0; i < y.length; i++) y[i] = x.data[i] > 0 ? x.data[i] : 0;
  return opResult(y, x.shape, [x], (out) => {
    const g = out.grad!;
    const gx = new Float32Array(x.size);
    for (let i = 0; i < gx.length; i++) gx[i] = x.data[i] > 0 ? g[i] : 0;
    adoptGrad(x, gx);
  });
}

/** elementwise multiply by a fixed mask (ANN dropout) */
export function mulMask(x: Tensor, mask: Float32Array): Tensor {
  const y = new Float32Array(x.size);
  for (let i = 0; i < y.length; i++) y[i] = x.data[i] * mask[i];
  return opResult(y, x.shape, [x], (out) => {
    const g = out.grad!;
    const gx = new Float32Array(x.size);
    for (let i = 0; i < gx.length; i++) gx[i] = g[i] * mask[i];
    adoptGrad(x, gx);
  });
}
