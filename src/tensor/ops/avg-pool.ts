/** Average pooling with kernel = stride = k (the seed's AvgPool2d(2, 2)). */
import { getBackend } from '../../kernels/index.js';
import { outputBuffer } from '../buffer.js';
import { noteNonzero } from '../nonzero.js';
import { Tensor, opResult, adoptGrad } from '../tensor.js';

export function avgPool2d(x: Tensor, k = 2): Tensor {
  const [n, c, h, w] = x.shape;
  const oh = Math.floor(h / k);
  const ow = Math.floor(w / k);
  const backend = getBackend();
  const y = outputBuffer(n * c * oh * ow);
  noteNonzero(y, backend.avgPoolForward(x.data, n, c, h, w, k, y));
  return opResult(y, [n, c, oh, ow], [x], (out) => {
    const gx = outputBuffer(x.size);
    backend.avgPoolBackward(out.grad!, n, c, h, w, k, gx);
    adoptGrad(x, gx);
  });
}
