/**
 * Input encodings. Direct: the normalised analog image at every step (one copy, the first
 * layer computes its current once). Poisson: at each step a pixel spikes with probability
 * equal to its [0,1] intensity (rate coding, the paper's comparison baseline); no gradient
 * flows to the image through the sampling.
 */
import { Tensor } from '../tensor/tensor.js';
import type { ForwardOptions } from './model.js';

export function encodeInput(normalized: Tensor, x01: Tensor, opts: ForwardOptions): { tensor: Tensor; constant: boolean } {
  if ((opts.encoding ?? 'direct') === 'direct') return { tensor: normalized, constant: true };
  if (!opts.rng) throw new Error('Poisson encoding needs a random generator');
  const steps = opts.timesteps;
  const data = new Float32Array(x01.size * steps);
  for (let t = 0; t < steps; t++) {
    const off = t * x01.size;
    for (let i = 0; i < x01.size; i++) data[off + i] = opts.rng.uniform() < x01.data[i] ? 1 : 0;
  }
  return { tensor: new Tensor(data, [x01.shape[0] * steps, ...x01.shape.slice(1)]), constant: false };
}
