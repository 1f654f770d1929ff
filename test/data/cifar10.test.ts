/** CIFAR-10 from the shared copy of the official binary archive (read once for the whole file). */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { classCounts, type Dataset } from '../../src/data/dataset.js';
import { loadDataset, loadDatasets } from '../../src/data/load.js';
import { locateData } from '../../src/data/locate.js';
import { packageRoot } from '../../src/package.js';
import { CIFAR10_NAMES } from './helpers.js';

const ARCHIVE = resolve(packageRoot() ?? '.', '../shared/data/cifar10/cifar-10-binary.tar.gz');
const skip = existsSync(ARCHIVE) ? false : `no shared CIFAR-10 copy at ${ARCHIVE}`;

let train: Dataset;
let testSet: Dataset;

before(async () => {
  if (skip) return;
  ({ train, test: testSet } = await loadDatasets('cifar10', ['train', 'test'], { data: ARCHIVE }));
});

test('the shared copy is found without --data (sibling ../shared/data/cifar10 fallback)', { skip }, () => {
  const saved = process.env.HIRE_SNN_DATA;
  delete process.env.HIRE_SNN_DATA;
  try {
    const src = locateData('cifar10', ['train', 'test']);
    assert.equal(src.kind, 'archive');
    assert.equal(src.path, ARCHIVE);
  } finally {
    if (saved !== undefined) process.env.HIRE_SNN_DATA = saved;
  }
});

test('counts, shape and class names', { skip }, () => {
  for (const [d, n] of [[train, 50000], [testSet, 10000]] as const) {
    assert.equal(d.count, n);
    assert.equal(d.labels.length, n);
    assert.equal(d.images.length, n * 3 * 32 * 32);
    assert.deepEqual([d.channels, d.height, d.width, d.numClasses], [3, 32, 32, 10]);
    assert.deepEqual(d.classes, CIFAR10_NAMES);
    assert.equal(d.name, 'cifar10');
  }
  assert.equal(train.split, 'train');
  assert.equal(testSet.split, 'test');
});

test('5000 images per class in train, 1000 in test; data_batch_1 class counts as in the official file', { skip }, () => {
  assert.deepEqual(classCounts(train), new Array(10).fill(5000));
  assert.deepEqual(classCounts(testSet), new Array(10).fill(1000));
  const batch1 = { labels: train.labels.subarray(0, 10000), count: 10000, numClasses: 10 };
  assert.deepEqual(classCounts(batch1), [1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981]);
});

test('first labels and pixels: image 0, red plane (channel 0), row 0, columns 0..2', { skip }, () => {
  assert.equal(train.labels[0], 6); // frog
  assert.equal(testSet.labels[0], 3); // cat
  assert.deepEqual([...train.images.subarray(0, 3)], [59, 43, 50]);
  assert.deepEqual([...testSet.images.subarray(0, 3)], [158, 159, 165]);
  // the green plane starts 1024 bytes in: different values, so the planes are not interleaved
  assert.notDeepEqual([...train.images.subarray(1024, 1027)], [59, 43, 50]);
});

test('limit and range read the same records as the full read', { skip }, async () => {
  const first = await loadDataset('cifar10', 'train', { data: ARCHIVE, limit: 3 });
  assert.equal(first.count, 3);
  assert.deepEqual(first.images, train.images.subarray(0, 3 * 3072));
  // a range crossing the data_batch_1 / data_batch_2 boundary
  const mid = await loadDataset('cifar10', 'train', { data: ARCHIVE, range: [9998, 10002] });
  assert.equal(mid.count, 4);
  assert.deepEqual(mid.labels, train.labels.subarray(9998, 10002));
  assert.deepEqual(mid.images, train.images.subarray(9998 * 3072, 10002 * 3072));
});
