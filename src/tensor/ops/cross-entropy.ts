/** Mean softmax cross-entropy of logits [B, K] against integer labels, as torch's F.cross_entropy. */
import { Tensor, opResult, adoptGrad } from '../tensor.js';

/** per row: the cross-entropy and the softmax probabilities (float64), [B] and [B, K] */
export function softmaxCrossEntropyRows(logits: ArrayLike<number>, labels: ArrayLike<number>, k: number): { losses: Float64Array; probs: Float64Array } {
  const b = labels.length;
  if (logits.length !== b * k) throw new Error(`crossEntropy: ${logits.length / k} logits rows but ${b} labels`);
  const probs = new Float64Array(b * k);
  const losses = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    const label = labels[i];
    if (!(label >= 0 && label < k)) throw new Error(`label ${label} out of range for ${k} classes`);
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logits[i * k + j] - max);
    const logSum = Math.log(sum) + max;
    for (let j = 0; j < k; j++) probs[i * k + j] = Math.exp(logits[i * k + j] - logSum);
    losses[i] = logSum - logits[i * k + label];
  }
  return { losses, probs };
}

/** scale * (softmax - onehot): the gradient of scale * (sum of the rows' cross-entropies) */
export function crossEntropyGrad(probs: Float64Array, labels: ArrayLike<number>, k: number, scale: number): Float32Array {
  const gl = new Float32Array(probs.length);
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < k; j++) gl[i * k + j] = scale * (probs[i * k + j] - (j === labels[i] ? 1 : 0));
  }
  return gl;
}

export function crossEntropy(logits: Tensor, labels: ArrayLike<number>): Tensor {
  const [b, k] = logits.shape;
  if (labels.length !== b) throw new Error(`crossEntropy: ${b} logits rows but ${labels.length} labels`);
  const { losses, probs } = softmaxCrossEntropyRows(logits.data, labels, k);
  let loss = 0;
  for (let i = 0; i < b; i++) loss += losses[i];
  return opResult(Float32Array.of(loss / b), [], [logits], (out) => {
    adoptGrad(logits, crossEntropyGrad(probs, labels, k, out.grad![0] / b));
  });
}
