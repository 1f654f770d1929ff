/** MNIST readers on small idx files written here (gz and plain); Fashion-MNIST when installed. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { classCounts, FASHION_MNIST_CLASSES, MNIST_CLASSES } from '../../src/data/dataset.js';
import { loadDataset, loadDatasets } from '../../src/data/load.js';
import { locateData } from '../../src/data/locate.js';
import { mnistFiles, pixels, tempDir, writeFiles } from './helpers.js';

const tmp = tempDir('idx');
after(tmp.cleanup);

for (const compress of [true, false]) {
  test(`MNIST idx files ${compress ? '(.gz)' : '(plain)'}`, async () => {
    const root = join(tmp.path, compress ? 'gz' : 'plain');
    writeFiles(join(root, 'MNIST/raw'), mnistFiles(5, 3, compress)); // torchvision's layout
    const { train, test: t } = await loadDatasets('mnist', ['train', 'test'], { data: root });
    assert.equal(train.count, 5);
    assert.equal(t.count, 3);
    assert.deepEqual([train.channels, train.height, train.width, train.numClasses], [1, 28, 28, 10]);
    assert.deepEqual(train.classes, MNIST_CLASSES);
    assert.deepEqual([...train.labels], [1, 8, 5, 2, 9]);
    assert.deepEqual([...t.labels], [2, 9, 6]);
    assert.deepEqual(train.images, pixels(1, 5 * 784));
    assert.deepEqual(t.images, pixels(2, 3 * 784));
    assert.ok(!Buffer.isBuffer(train.images), 'images are a plain Uint8Array');
    const part = await loadDataset('mnist', 'train', { data: root, range: [1, 4], limit: 2 });
    assert.equal(part.count, 2);
    assert.deepEqual([...part.labels], [8, 5]);
    assert.deepEqual(part.images, pixels(1, 5 * 784).subarray(784, 3 * 784));
  });
}

test('HIRE_SNN_DATA is searched when --data is not given', async () => {
  const root = join(tmp.path, 'env');
  writeFiles(join(root, 'mnist'), mnistFiles(2, 2, true));
  const saved = process.env.HIRE_SNN_DATA;
  process.env.HIRE_SNN_DATA = root;
  try {
    const src = locateData('mnist', ['train']);
    assert.equal(src.path, join(root, 'mnist'));
    assert.equal((await loadDataset('mnist', 'test')).count, 2);
  } finally {
    if (saved === undefined) delete process.env.HIRE_SNN_DATA;
    else process.env.HIRE_SNN_DATA = saved;
  }
});

const FASHION = '/usr/share/datasets/fashion-mnist';
const fashionSkip = existsSync(join(FASHION, 'train-images-idx3-ubyte.gz')) ? false : `Fashion-MNIST is not installed in ${FASHION} (apt-get install dataset-fashion-mnist)`;

test('Fashion-MNIST from the Debian package', { skip: fashionSkip }, async () => {
  const saved = process.env.HIRE_SNN_DATA;
  delete process.env.HIRE_SNN_DATA;
  try {
    const { train, test: t } = await loadDatasets('fashion-mnist', ['train', 'test']);
    assert.equal(train.count, 60000);
    assert.equal(t.count, 10000);
    assert.equal(train.images.length, 60000 * 784);
    assert.deepEqual(train.classes, FASHION_MNIST_CLASSES);
    assert.deepEqual(classCounts(train), new Array(10).fill(6000));
    assert.deepEqual(classCounts(t), new Array(10).fill(1000));
    assert.equal(train.labels[0], 9); // the first training image is an ankle boot
    assert.ok(train.labels.every((l) => l < 10));
  } finally {
    if (saved !== undefined) process.env.HIRE_SNN_DATA = saved;
  }
});
