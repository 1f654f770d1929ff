/** Mean softmax cross-entropy of logits [B, K] against integer labels, as torch's F.cross_entropy. */
import { Tensor, opResult, adoptGrad } from '../tensor.js';

export function crossEntropy(logits: Tensor, labels: ArrayLike<number>): Tensor {
  const [b, k] = logits.shape;
  if (labels.length !== b) throw new Error(`crossEntropy: ${b} logits rows but ${labels.length} labels`);
  const probs = new Float64Array(b * k);
  let loss = 0;
  for (let i = 0; i < b; i++) {
    const label = labels[i];
    if (!(label >= 0 && label < k)) throw new Error(`label ${label} out of range for ${k} classes`);
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits.data[i * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logits.data[i * k + j] - max);
    const logSum = Math.log(sum) + max;
    for (let j = 0; j < k; j++) probs[i * k + j] = Math.exp(logits.data[i * k + j] - logSum);
    loss += logSum - logits.data[i * k + label];
  }
  return opResult(Float32Array.of(loss / b), [], [logits], (out) => {
    const g = out.grad![0] / b;
    const gl = new Float32Array(b * k);
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < k; j++) gl[i * k + j] = g * (probs[i * k + j] - (j === labels[i] ? 1 : 0));
    }
    adoptGrad(logits, gl);
  });
}
