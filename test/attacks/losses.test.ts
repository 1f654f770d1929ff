/** The attack losses: values by hand, gradients against central differences in float64. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crossEntropyLoss, dlrLoss, targetedDlrLoss, type LogitLoss } from '../../src/attacks/losses.js';
import { Rng } from '../../src/data/rng.js';

function checkGradient(loss: LogitLoss, classes: number, targets?: number[]) {
  const rng = new Rng(classes);
  const n = 4;
  const logits = Array.from({ length: n * classes }, () => 4 * rng.uniform() - 2);
  const labels = Array.from({ length: n }, (_, b) => (b * 3) % classes);
  const { grad } = loss.evaluate(logits, labels, classes, targets);
  const mean = (z: number[]) => loss.evaluate(z, labels, classes, targets).values.reduce((s, v) => s + v, 0) / n;
  const h = 1e-6;
  for (let i = 0; i < logits.length; i++) {
    const up = [...logits];
    const down = [...logits];
    up[i] += h;
    down[i] -= h;
    const numeric = (mean(up) - mean(down)) / (2 * h);
    assert.ok(Math.abs(grad[i] - numeric) < 1e-5 * (1 + Math.abs(numeric)), `${loss.name} logit ${i}: ${grad[i]} vs ${numeric}`);
  }
}

describe('attack losses', () => {
  test('values by hand', () => {
    // one row, label 0: z = [1, 3, 2, 0]; DLR = -(1 - 3) / (3 - 1); targeted toward 2: -(1 - 2) / (3 - (1 + 0) / 2)
    const z = [1, 3, 2, 0];
    assert.ok(Math.abs(dlrLoss.evaluate(z, [0], 4).values[0] - 1) < 1e-9);
    assert.ok(Math.abs(targetedDlrLoss.evaluate(z, [0], 4, [2]).values[0] - 1 / 2.5) < 1e-9);
    const ce = crossEntropyLoss.evaluate(z, [0], 4).values[0];
    assert.ok(Math.abs(ce - (Math.log(Math.exp(1) + Math.exp(3) + Math.exp(2) + 1) - 1)) < 1e-9);
    assert.throws(() => targetedDlrLoss.evaluate(z, [0], 4), /needs a target class per sample/);
  });

  test('gradients of the mean match central differences', () => {
    checkGradient(crossEntropyLoss, 2);
    checkGradient(crossEntropyLoss, 10);
    checkGradient(dlrLoss, 3);
    checkGradient(dlrLoss, 10);
    checkGradient(targetedDlrLoss, 4, [1, 2, 3, 0]);
    checkGradient(targetedDlrLoss, 10, [5, 9, 1, 2]);
  });
});
