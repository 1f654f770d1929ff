/** Fully connected layer without bias: y[N, out] = x[N, in] · W[out, in]^T. */
import { getBackend } from '../../kernels/index.js';
import { outputBuffer } from '../buffer.js';
import { nonzeroCount } from '../nonzero.js';
import { Tensor, opResult, adoptGrad, isGradEnabled } from '../tensor.js';
import { sparseMaxDensity } from './crossover.js';

export interface LinearOptions {
  /**
   * the input is spikes (mostly zero): measure its density and compute the forward and the weight
   * gradient event-driven when it is at most sparseMaxDensity('linearForward' / 'linear')
   */
  sparseInput?: boolean;
  /**
   * the output feeds a spiking layer, whose surrogate gradient is zero away from threshold:
   * measure the output gradient's density and compute the input gradient event-driven when it is
   * at most sparseMaxDensity('linearData')
   */
  sparseGrad?: boolean;
}

export function linear(x: Tensor, w: Tensor, opts: LinearOptions = {}): Tensor {
  const [outF, inF] = w.shape;
  const n = x.size / inF;
  if (!Number.isInteger(n) || x.shape[x.shape.length - 1] !== inF) {
    throw new Error(`linear: input [${x.shape.join(', ')}] does not end in ${inF} features`);
  }
  const backend = getBackend();
  const y = outputBuffer(n * outF);
  const nonzero = opts.sparseInput === true && x.size > 0 ? nonzeroCount(x.data) : Infinity;
  if (nonzero <= sparseMaxDensity('linearForward') * x.size) backend.linearForwardSparse(x.data, w.data, n, inF, outF, y);
  else backend.gemm(false, true, n, outF, inF, 1, x.data, w.data, 0, y);
  const sparseWeights = isGradEnabled() && w.requiresGrad && nonzero <= sparseMaxDensity('linear') * x.size;
  return opResult(y, [...x.shape.slice(0, -1), outF], [x, w], (out) => {
    const gy = out.grad!;
    if (w.requiresGrad) {
      const gw = outputBuffer(w.size);
      if (sparseWeights) backend.linearBackwardWeightsSparse(x.data, gy, n, inF, outF, gw);
      else backend.gemm(true, false, outF, inF, n, 1, gy, x.data, 0, gw);
      adoptGrad(w, gw);
    }
    if (x.requiresGrad) {
      const gx = outputBuffer(x.size);
      // below a spiking layer the surrogate zeroes the gradient of neurons far from threshold
      if (opts.sparseGrad === true && nonzeroCount(gy) <= sparseMaxDensity('linearData') * gy.length) {
        backend.linearBackwardDataSparse(gy, w.data, n, inF, outF, gx);
      } else {
        backend.gemm(false, false, n, inF, outF, 1, gy, w.data, 0, gx);
      }
      adoptGrad(x, gx);
    }
  });
}
