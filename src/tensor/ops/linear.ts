/** Fully connected layer without bias: y[N, out] = x[N, in] · W[out, in]^T. */
import { getBackend } from '../../kernels/index.js';
import { Tensor, opResult, adoptGrad, isGradEnabled } from '../tensor.js';
import { sparseMaxDensity } from './conv2d.js';

export interface LinearOptions {
  /**
   * the input is spikes (mostly zero): measure its density and compute the weight gradient
   * event-driven when it is at most sparseMaxDensity('linear')
   */
  sparseInput?: boolean;
}

export function linear(x: Tensor, w: Tensor, opts: LinearOptions = {}): Tensor {
  const [outF, inF] = w.shape;
  const n = x.size / inF;
  if (!Number.isInteger(n) || x.shape[x.shape.length - 1] !== inF) {
    throw new Error(`linear: input [${x.shape.join(', ')}] does not end in ${inF} features`);
  }
  const backend = getBackend();
  const y = new Float32Array(n * outF);
  backend.gemm(false, true, n, outF, inF, 1, x.data, w.data, 0, y);
  const sparseWeights = opts.sparseInput === true && isGradEnabled() && w.requiresGrad && x.size > 0 &&
    backend.countNonzero(x.data) <= sparseMaxDensity('linear') * x.size;
  return opResult(y, [...x.shape.slice(0, -1), outF], [x, w], (out) => {
    const gy = out.grad!;
    if (w.requiresGrad) {
      const gw = new Float32Array(w.size);
      if (sparseWeights) backend.linearBackwardWeightsSparse(x.data, gy, n, inF, outF, gw);
      else backend.gemm(true, false, outF, inF, n, 1, gy, x.data, 0, gw);
      adoptGrad(w, gw);
    }
    if (x.requiresGrad) {
      const gx = new Float32Array(x.size);
      backend.gemm(false, false, n, inF, outF, 1, gy, w.data, 0, gx);
      adoptGrad(x, gx);
    }
  });
}
