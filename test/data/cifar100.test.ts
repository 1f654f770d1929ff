/** CIFAR-100 (and small CIFAR-10) readers on files written here in the official binary layouts. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readCifar } from '../../src/data/cifar.js';
import type { Dataset } from '../../src/data/dataset.js';
import { loadDataset, loadDatasets } from '../../src/data/load.js';
import { CIFAR10_NAMES, COARSE_NAMES, FINE_NAMES, cifarRecords, pixels, tempDir, writeFiles, writeTar, type Files } from './helpers.js';

const tmp = tempDir('cifar');
after(tmp.cleanup);

// CIFAR-100: 7 train and 4 test records, labels [coarse, fine]
const TRAIN100 = [[0, 0], [19, 99], [3, 42], [7, 7], [12, 50], [1, 1], [5, 98]];
const TEST100 = [[2, 10], [19, 0], [0, 99], [4, 4]];
const files100: Files = {
  'cifar-100-binary/coarse_label_names.txt': COARSE_NAMES.join('\n') + '\n',
  'cifar-100-binary/fine_label_names.txt': FINE_NAMES.join('\n') + '\n\n',
  'cifar-100-binary/train.bin': cifarRecords(TRAIN100, 1),
  'cifar-100-binary/test.bin': cifarRecords(TEST100, 2),
};

function check100(d: Dataset, labels: number[][], seed: number, coarse: boolean, first = 0): void {
  assert.equal(d.name, 'cifar100');
  assert.equal(d.count, labels.length);
  assert.deepEqual([d.channels, d.height, d.width], [3, 32, 32]);
  assert.deepEqual([...d.labels], labels.map((l) => l[coarse ? 0 : 1]));
  assert.deepEqual(d.classes, coarse ? COARSE_NAMES : FINE_NAMES);
  assert.equal(d.numClasses, coarse ? 20 : 100);
  labels.forEach((_, i) => assert.deepEqual(d.images.subarray(i * 3072, (i + 1) * 3072), pixels(seed * 1000 + first + i)));
}

test('CIFAR-100 from the extracted directory: fine labels by default, coarse on request', async () => {
  const root = join(tmp.path, 'c100dir');
  writeFiles(root, files100);
  // --data may name the data root or the cifar-100-binary directory itself
  for (const data of [root, join(root, 'cifar-100-binary')]) {
    const { train, test: t } = await loadDatasets('cifar100', ['train', 'test'], { data });
    check100(train, TRAIN100, 1, false);
    check100(t, TEST100, 2, false);
  }
  check100(await loadDataset('cifar100', 'train', { data: root, coarse: true }), TRAIN100, 1, true);
});

test('CIFAR-100 from cifar-100-binary.tar.gz (found in the data dir, or named directly)', async () => {
  const root = join(tmp.path, 'c100tar');
  writeFiles(root, {});
  const archive = join(root, 'cifar-100-binary.tar.gz');
  await writeTar(archive, files100);
  for (const data of [root, archive]) {
    const { train, test: t } = await loadDatasets('cifar100', ['train', 'test'], { data, coarse: true });
    check100(train, TRAIN100, 1, true);
    check100(t, TEST100, 2, true);
  }
  check100(await loadDataset('cifar100', 'test', { data: archive }), TEST100, 2, false);
});

test('CIFAR-100 range and limit', async () => {
  const archive = join(tmp.path, 'c100tar', 'cifar-100-binary.tar.gz');
  const d = await loadDataset('cifar100', 'train', { data: archive, range: [2, 6], limit: 3 });
  check100(d, TRAIN100.slice(2, 5), 1, false, 2);
});

// CIFAR-10 in miniature: 5 batches of 2-4 records
const BATCHES = [[1, 2], [3], [4, 5, 6], [7, 8], [9, 0, 0, 1]];
const TEST10 = [3, 8, 8];
function files10(prefix = 'cifar-10-batches-bin/'): Files {
  const f: Files = { [`${prefix}batches.meta.txt`]: CIFAR10_NAMES.join('\n') + '\n\n' };
  BATCHES.forEach((b, k) => (f[`${prefix}data_batch_${k + 1}.bin`] = cifarRecords(b.map((l) => [l]), 10 + k)));
  f[`${prefix}test_batch.bin`] = cifarRecords(TEST10.map((l) => [l]), 20);
  return f;
}

function check10(d: Dataset, split: 'train' | 'test', range: [number, number] = [0, Infinity]): void {
  const all = split === 'train' ? BATCHES.flatMap((b, k) => b.map((l, i) => ({ l, seed: (10 + k) * 1000 + i }))) : TEST10.map((l, i) => ({ l, seed: 20000 + i }));
  const want = all.slice(range[0], range[1]);
  assert.deepEqual([...d.labels], want.map((w) => w.l));
  assert.deepEqual(d.classes, CIFAR10_NAMES);
  want.forEach((w, i) => assert.deepEqual(d.images.subarray(i * 3072, (i + 1) * 3072), pixels(w.seed)));
}

test('small CIFAR-10: extracted dir and tar.gz give batches 1..5 in order', async () => {
  const root = join(tmp.path, 'c10');
  writeFiles(root, files10());
  const fromDir = await loadDatasets('cifar10', ['train', 'test'], { data: root });
  check10(fromDir.train, 'train');
  check10(fromDir.test, 'test');
  check10(await loadDataset('cifar10', 'train', { data: root, range: [1, 7] }), 'train', [1, 7]);

  // members stored out of order, as in the official archive
  const f = files10();
  const shuffled: Files = {};
  for (const k of ['batches.meta.txt', 'data_batch_4.bin', 'test_batch.bin', 'data_batch_2.bin', 'data_batch_5.bin', 'data_batch_1.bin', 'data_batch_3.bin']) {
    shuffled[`cifar-10-batches-bin/${k}`] = f[`cifar-10-batches-bin/${k}`];
  }
  const archive = join(tmp.path, 'c10.tar.gz');
  await writeTar(archive, shuffled);
  const fromTar = await loadDatasets('cifar10', ['train', 'test'], { data: archive });
  check10(fromTar.train, 'train');
  check10(fromTar.test, 'test');
});

test('single-pass archive reader: out-of-order members written at their offsets, ranges skip whole members', async () => {
  // every batch with 2 records, so a fixed records-per-file applies as with the official files
  const f: Files = { 'cifar-10-batches-bin/batches.meta.txt': CIFAR10_NAMES.join('\n') };
  const order = [4, 1, 5, 3, 2];
  for (const k of order) f[`cifar-10-batches-bin/data_batch_${k}.bin`] = cifarRecords([[k], [k - 1]], 30 + k);
  f['cifar-10-batches-bin/test_batch.bin'] = cifarRecords([[9], [8]], 40);
  const archive = join(tmp.path, 'c10even.tgz');
  await writeTar(archive, f);
  const recordsPerFile = { train: 2, test: 2 };
  const all = await readCifar('cifar10', { kind: 'archive', path: archive }, { ranges: { train: [0, Infinity], test: [0, Infinity] }, recordsPerFile });
  assert.deepEqual([...(all.train as Dataset).labels], [1, 0, 2, 1, 3, 2, 4, 3, 5, 4]);
  assert.deepEqual([...(all.test as Dataset).labels], [9, 8]);
  assert.deepEqual((all.train as Dataset).images.subarray(3 * 3072, 4 * 3072), pixels(32 * 1000 + 1));
  const part = await readCifar('cifar10', { kind: 'archive', path: archive }, { ranges: { train: [3, 6] }, recordsPerFile });
  assert.deepEqual([...(part.train as Dataset).labels], [1, 3, 2]);
  assert.deepEqual((part.train as Dataset).images, (all.train as Dataset).images.subarray(3 * 3072, 6 * 3072));
});
