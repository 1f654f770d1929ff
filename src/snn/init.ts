/** The seed's weight initialisation (_initialize_weights2): He-normal convs, N(0, 0.01) linears. */
import { Tensor } from '../tensor/tensor.js';
import type { Rng } from './dropout.js';

/** standard normal from two uniforms (Box-Muller) */
export function gaussian(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng.uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.uniform());
}

export function initWeight(shape: number[], kind: 'conv' | 'linear', rng?: Rng): Tensor {
  const t = Tensor.zeros(shape, true);
  if (!rng) return t;
  // conv: n = k*k*out_channels, std = sqrt(2/n); linear: std = 0.01
  const std = kind === 'conv' ? Math.sqrt(2 / (shape[0] * shape[2] * shape[3])) : 0.01;
  for (let i = 0; i < t.size; i++) t.data[i] = std * gaussian(rng);
  return t;
}
