/**
 * Input encodings. Direct: the normalised analog image at every step (one copy, the first
 * layer computes its current once). Poisson: at each step a pixel spikes with probability
 * equal to its [0,1] intensity (rate coding, the paper's comparison baseline). The sampling has
 * no gradient; the image gets the straight-through one of its expectation (dE[s_t]/dx = 1 at
 * every step), which EOT attacks average over draws.
 */
import { Tensor, opResult, adoptGrad } from '../tensor/tensor.js';
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
  const spikes = opResult(data, [x01.shape[0] * steps, ...x01.shape.slice(1)], [x01], (out) => {
    const g = new Float32Array(x01.size);
    for (let t = 0; t < steps; t++) {
      const off = t * x01.size;
      for (let i = 0; i < x01.size; i++) g[i] += out.grad![off + i];
    }
    adoptGrad(x01, g);
  });
  return { tensor: spikes, constant: false };
}
