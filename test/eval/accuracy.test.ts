/** Scoring like PyTorch's argmax/topk: ties to the first index, non-finite rows wrong, degenerate rows counted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccuracyMeter, countCorrect, inTopK, scoreRow } from '../../src/eval/accuracy.js';

/** torch.argmax: the first index of the maximum (NaN counts as the maximum, which we refuse instead) */
function argmax(row: number[]): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

test('a NaN or Inf in a row is wrong at every k', () => {
  const logits = Float32Array.from([NaN, NaN, NaN, 0, Infinity, 0, 1, 2, -Infinity]);
  for (let row = 0; row < 3; row++) {
    for (const label of [0, 1, 2]) {
      assert.equal(inTopK(logits, row, 3, label, 1), false);
      assert.equal(inTopK(logits, row, 3, label, 3), false);
    }
  }
  const m = new AccuracyMeter();
  m.add(logits, [0, 1, 2], 3);
  assert.deepEqual([m.top1, m.top5, m.nonFinite, m.allEqual, m.count], [0, 0, 3, 0, 3]);
  assert.match(m.notes()[0], /^3 images gave non-finite outputs/);
});

test('ties go to the first index, as argmax does', () => {
  const zeros = new Float32Array(10);
  assert.equal(inTopK(zeros, 0, 10, 0, 1), true);
  for (let l = 1; l < 10; l++) assert.equal(inTopK(zeros, 0, 10, l, 1), false, `label ${l}`);
  // top-5 of an all-equal row: the first five indices
  for (let l = 0; l < 10; l++) assert.equal(inTopK(zeros, 0, 10, l, 5), l < 5, `label ${l}`);
  const tied = Float32Array.from([1, 3, 3, 0]);
  assert.deepEqual(scoreRow(tied, 0, 4, 1), { rank: 0, nonFinite: false, allEqual: false });
  assert.deepEqual(scoreRow(tied, 0, 4, 2), { rank: 1, nonFinite: false, allEqual: false });
  assert.equal(scoreRow(tied, 0, 4, 3).rank, 3);
});

test('top-1 agrees with argmax on rows full of ties; the meter counts all-equal rows', () => {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) / 65536;
  const rows = 2000;
  const classes = 10;
  const logits = new Float32Array(rows * classes);
  const labels = new Int32Array(rows);
  let expectTop1 = 0;
  let expectEqual = 0;
  for (let i = 0; i < rows; i++) {
    const flat = i % 7 === 0;
    const row = Array.from({ length: classes }, () => (flat ? 0 : Math.floor(rand() * 3)));
    logits.set(row, i * classes);
    labels[i] = Math.floor(rand() * classes);
    if (argmax(row) === labels[i]) expectTop1++;
    if (row.every((x) => x === row[0])) expectEqual++;
  }
  const m = new AccuracyMeter();
  m.add(logits, labels, classes);
  assert.equal(m.top1, expectTop1);
  assert.equal(m.allEqual, expectEqual);
  assert.equal(m.nonFinite, 0);
  assert.ok(expectEqual >= rows / 7, 'the data has all-equal rows');
  // the training log counts by the same rule
  assert.equal(countCorrect(logits, labels, classes), expectTop1);
});

test('ordinary rows: the label ranks by how many logits beat it', () => {
  const logits = Float32Array.from([0.1, 0.9, 0.5, -1, 2, 0.3]);
  const m = new AccuracyMeter();
  m.add(logits, [1, 2], 3);
  m.add(logits, [1, 0], 3);
  assert.deepEqual([m.top1, m.top5, m.count], [2, 4, 4]);
  assert.equal(m.top1Percent, 50);
  assert.deepEqual(m.notes(), []);
});
