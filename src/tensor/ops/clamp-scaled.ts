/**
 * clamp(x / θ, 0, 1) for a constant θ > 0: the firing rate of an integrate-and-fire neuron with
 * threshold θ under a constant input current x (the ANN counterpart of a spiking layer).
 * Gradient 1/θ inside (0, θ), 0 outside; θ gets none.
 */
import { Tensor, opResult, adoptGrad } from '../tensor.js';

export function clampScaled(x: Tensor, theta: number): Tensor {
  if (!(theta > 0) || !Number.isFinite(theta)) throw new Error(`clampScaled: threshold must be a finite number > 0, got ${theta}`);
  const y = new Float32Array(x.size);
  for (let i = 0; i < y.length; i++) {
    const r = x.data[i] / theta;
    y[i] = r <= 0 ? 0 : r >= 1 ? 1 : r;
  }
  return opResult(y, x.shape, [x], (out) => {
    const g = out.grad!;
    const gx = new Float32Array(x.size);
    for (let i = 0; i < gx.length; i++) {
      const v = x.data[i];
      gx[i] = v > 0 && v < theta ? g[i] / theta : 0;
    }
    adoptGrad(x, gx);
  });
}
