/** 2-D convolution (NCHW, no bias) and its gradients, on the current backend. */
import { getBackend, convOutSize, type ConvShape } from '../../kernels/index.js';
import { outputBuffer } from '../buffer.js';
import { nonzeroCount } from '../nonzero.js';
import { sparseMaxDensity } from './crossover.js';
import { Tensor, opResult, adoptGrad } from '../tensor.js';

export interface Conv2dOptions {
  stride?: number;
  pad?: number;
  /**
   * the input is spikes or pooled spikes (mostly zero): measure its density and run the
   * event-driven forward and grad-weight when it is at most sparseMaxDensity(kernel)
   */
  sparseInput?: boolean;
  /**
   * the output feeds a spiking layer, whose surrogate gradient is zero away from threshold:
   * measure the output gradient's density and compute the input gradient event-driven when it
   * is at most sparseMaxDensity('data') (stride 1, square kernels)
   */
  sparseGrad?: boolean;
}

export function convShapeOf(x: Tensor, w: Tensor, opts: Conv2dOptions): ConvShape {
  if (x.shape.length !== 4 || w.shape.length !== 4) throw new Error('conv2d needs x [N,C,H,W] and w [O,C,kh,kw]');
  if (x.shape[1] !== w.shape[1]) throw new Error(`conv2d: input has ${x.shape[1]} channels, weight expects ${w.shape[1]}`);
  return {
    n: x.shape[0], cIn: x.shape[1], h: x.shape[2], w: x.shape[3],
    cOut: w.shape[0], kh: w.shape[2], kw: w.shape[3],
    stride: opts.stride ?? 1, pad: opts.pad ?? 0,
  };
}

export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  const s = convShapeOf(x, w, opts);
  const { oh, ow } = convOutSize(s);
  const backend = getBackend();
  const y = outputBuffer(s.n * s.cOut * oh * ow);
  const nonzero = opts.sparseInput === true && x.size > 0 ? nonzeroCount(x.data) : Infinity;
  const sparse = nonzero <= sparseMaxDensity('forward') * x.size;
  // (the event-driven grad-weight has its fast path for stride 1 only)
  const sparseWeights = s.stride === 1 && nonzero <= sparseMaxDensity('weights') * x.size;
  if (sparse) backend.conv2dForwardSparse(x.data, w.data, s, y);
  else backend.conv2dForward(x.data, w.data, s, y);
  return opResult(y, [s.n, s.cOut, oh, ow], [x, w], (out) => {
    const gy = out.grad!;
    if (w.requiresGrad) {
      const gw = outputBuffer(w.size);
      if (sparseWeights) backend.conv2dBackwardWeightsSparse(x.data, gy, s, gw);
      else backend.conv2dBackwardWeights(x.data, gy, s, gw);
      adoptGrad(w, gw);
    }
    if (x.requiresGrad) {
      const gx = outputBuffer(x.size);
      const sparseData = opts.sparseGrad === true && s.stride === 1 && s.kh === s.kw && s.pad < s.kh &&
        nonzeroCount(gy) <= sparseMaxDensity('data') * gy.length;
      if (sparseData) backend.conv2dBackwardDataSparse(gy, w.data, s, gx);
      else backend.conv2dBackwardData(gy, w.data, s, gx);
      adoptGrad(x, gx);
    }
  });
}
