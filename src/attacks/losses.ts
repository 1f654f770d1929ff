/**
 * The losses attacks ascend, as functions of the logits [B, K]: per-sample values (higher is
 * closer to misclassified) and the gradient of their mean w.r.t. the logits, which the input
 * gradient is seeded with.
 * DLR and targeted DLR: Croce & Hein, "Reliable evaluation of adversarial robustness with an
 * ensemble of diverse parameter-free attacks", ICML 2020 (shift- and scale-invariant in the logits).
 */
import { softmaxCrossEntropyRows, crossEntropyGrad } from '../tensor/ops/cross-entropy.js';

export interface LossValues {
  /** per sample, float64 */
  values: Float64Array;
  /** d(mean of values)/d logits, [B, K] */
  grad: Float32Array;
}

export interface LogitLoss {
  readonly name: string;
  /** fewest classes it is defined for */
  readonly minClasses: number;
  /** `targets`: per sample, the class a targeted loss pulls toward */
  evaluate(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number, targets?: ArrayLike<number>): LossValues;
}

/** softmax cross-entropy, as the seed's attacks (and training) use */
export const crossEntropyLoss: LogitLoss = {
  name: 'ce',
  minClasses: 2,
  evaluate(logits, labels, classes) {
    const { losses, probs } = softmaxCrossEntropyRows(logits, labels, classes);
    return { values: losses, grad: crossEntropyGrad(probs, labels, classes, 1 / labels.length) };
  },
};

/** indices of the `count` largest entries of row b (fewer if K < count), largest first, ties by index */
function topIndices(logits: ArrayLike<number>, b: number, k: number, count: number): number[] {
  const idx = Array.from({ length: k }, (_, j) => j);
  idx.sort((i, j) => logits[b * k + j] - logits[b * k + i] || i - j);
  return idx.slice(0, count);
}

const DLR_EPS = 1e-12;

/**
 * The DLR family: -(z_y - z_o) / (z_pi1 - mean of z over `low`), with o and `low` chosen per
 * sample from its sorted logits (pi1 >= pi2 >= ...).
 */
function ratioLoss(name: string, minClasses: number, choose: (b: number, y: number, top: number[], targets?: ArrayLike<number>) => { other: number; low: number[] }): LogitLoss {
  return {
    name,
    minClasses,
    evaluate(logits, labels, classes, targets) {
      const n = labels.length;
      const values = new Float64Array(n);
      const grad = new Float32Array(n * classes);
      const g = new Float64Array(classes);
      for (let b = 0; b < n; b++) {
        const y = labels[b];
        const top = topIndices(logits, b, classes, 4);
        const { other, low } = choose(b, y, top, targets);
        const z = (j: number) => logits[b * classes + j];
        const diff = z(y) - z(other);
        const den = z(top[0]) - low.reduce((s, j) => s + z(j), 0) / low.length + DLR_EPS;
        values[b] = -diff / den;
        // d/dz of -diff/den: -1/den at y, +1/den at o; diff/den^2 times d den/dz (+1 at pi1, -1/|low| at each low)
        g.fill(0);
        g[y] -= 1 / den;
        g[other] += 1 / den;
        g[top[0]] += diff / (den * den);
        for (const j of low) g[j] -= diff / (den * den * low.length);
        for (let j = 0; j < classes; j++) grad[b * classes + j] = g[j] / n;
      }
      return { values, grad };
    },
  };
}

/** -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3): the difference of logits ratio, needs 3 classes */
export const dlrLoss = ratioLoss('dlr', 3, (_b, y, top) => ({ other: top[0] === y ? top[1] : top[0], low: [top[2]] }));

/** -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2) toward the target t of each sample, needs 4 classes */
export const targetedDlrLoss = ratioLoss('dlr-targeted', 4, (b, _y, top, targets) => {
  if (!targets) throw new Error('the targeted DLR loss needs a target class per sample');
  return { other: targets[b], low: [top[2], top[3]] };
});
