/**
 * Ops over the time axis of multi-step tensors. A multi-step tensor stacks T steps of a
 * batch along the first axis: [T*B, ...], step t occupying rows t*B .. t*B+B-1.
 */
import { getBackend } from '../../kernels/index.js';
import { outputBuffer } from '../buffer.js';
import { Tensor, opResult, adoptGrad } from '../tensor.js';

/** multiplies every step by the same mask [B, ...] (dropout masks fixed over the steps) */
export function mulEachStep(x: Tensor, mask: Float32Array): Tensor {
  const steps = x.size / mask.length;
  if (!Number.isInteger(steps)) throw new Error('mulEachStep: mask does not divide the input');
  const backend = getBackend();
  const y = outputBuffer(x.size);
  backend.mulRepeated(x.data, mask, y);
  return opResult(y, x.shape, [x], (out) => {
    const gx = outputBuffer(x.size);
    backend.mulRepeated(out.grad!, mask, gx);
    adoptGrad(x, gx);
  });
}

/** sums [T*B, ...] over the steps into [B, ...] */
export function sumSteps(x: Tensor, steps: number): Tensor {
  const per = x.size / steps;
  const batch = x.shape[0] / steps;
  if (!Number.isInteger(batch)) throw new Error(`sumSteps: first axis ${x.shape[0]} is not a multiple of ${steps} steps`);
  // step by step, in time order (the seed's sum over T)
  const xd = x.data;
  const y = xd.slice(0, per);
  for (let t = 1; t < steps; t++) {
    const row = xd.subarray(t * per, (t + 1) * per);
    for (let i = 0; i < per; i++) y[i] += row[i];
  }
  return opResult(y, [batch, ...x.shape.slice(1)], [x], (out) => {
    const g = out.grad!;
    const gx = outputBuffer(x.size);
    for (let t = 0; t < steps; t++) gx.set(g, t * per);
    adoptGrad(x, gx);
  });
}
