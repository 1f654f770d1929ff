/** Corrupt or missing inputs: one clear DataError each, naming the file and the problem. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../src/data/errors.js';
import { loadDataset } from '../../src/data/load.js';
import { readTar } from '../../src/data/archive.js';
import { CIFAR10_NAMES, COARSE_NAMES, FINE_NAMES, cifarRecords, gz, idxFile, mnistFiles, tempDir, writeFiles, writeTar, type Files } from './helpers.js';

const tmp = tempDir('errors');
after(tmp.cleanup);
let n = 0;
const fresh = (): string => join(tmp.path, `case${n++}`);

/** asserts a DataError whose message matches all patterns */
async function rejectsWith(p: Promise<unknown>, ...patterns: (RegExp | string)[]): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    for (const pat of patterns) {
      if (typeof pat === 'string') assert.ok(err.message.includes(pat), `message ${JSON.stringify(err.message)} lacks ${pat}`);
      else assert.match(err.message, pat);
    }
    return true;
  });
}

const c100 = (train: Uint8Array, extra: Files = {}): Files => ({
  'cifar-100-binary/coarse_label_names.txt': COARSE_NAMES.join('\n'),
  'cifar-100-binary/fine_label_names.txt': FINE_NAMES.join('\n'),
  'cifar-100-binary/train.bin': train,
  'cifar-100-binary/test.bin': cifarRecords([[1, 1]], 2),
  ...extra,
});

test('nothing found: says what is needed, where it looked and where to get it', async () => {
  const dir = fresh();
  writeFiles(dir, {});
  await rejectsWith(loadDataset('cifar100', 'train', { data: dir }), 'CIFAR-100 data not found', 'cifar-100-binary.tar.gz', 'train.bin', dir, 'https://www.cs.toronto.edu/~kriz/cifar.html');
  await rejectsWith(loadDataset('mnist', 'test', { data: dir }), 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', dir, 'http://yann.lecun.com/exdb/mnist/');
  await rejectsWith(loadDataset('fashion-mnist', 'test', { data: join(dir, 'nope') }), 'does not exist', 'zalandoresearch/fashion-mnist', 'apt-get install dataset-fashion-mnist');
});

test('a partial directory is reported with the files it lacks; the Python version is recognised', async () => {
  const dir = fresh();
  const f = c100(cifarRecords([[1, 1]], 1));
  delete f['cifar-100-binary/test.bin'];
  writeFiles(dir, { ...f, 'cifar-10-batches-py/data_batch_1': 'x' });
  await rejectsWith(loadDataset('cifar100', 'test', { data: dir }), /cifar-100-binary lacks test\.bin/);
  await rejectsWith(loadDataset('cifar10', 'test', { data: dir }), /cifar-10-batches-py is the Python version/);
});

test('truncated record', async () => {
  const dir = fresh();
  const bytes = cifarRecords([[1, 2], [3, 4]], 1).subarray(0, 3074 * 2 - 100);
  writeFiles(dir, c100(bytes));
  await rejectsWith(loadDataset('cifar100', 'train', { data: dir }), join(dir, 'cifar-100-binary/train.bin'), /not a whole number of 3074-byte records \(1 records \+ 2974 bytes\)/);
  const archive = join(dir, 'cifar-100-binary.tar.gz');
  await writeTar(archive, c100(bytes));
  await rejectsWith(loadDataset('cifar100', 'train', { data: archive }), archive, 'member cifar-100-binary/train.bin', 'not a whole number');
});

test('label out of range', async () => {
  const dir = fresh();
  writeFiles(dir, c100(cifarRecords([[1, 2], [3, 100]], 1)));
  await rejectsWith(loadDataset('cifar100', 'train', { data: dir }), 'train.bin', 'record 1: fine label 100 is out of range 0..99');
  const d10 = fresh();
  writeFiles(d10, { 'batches.meta.txt': CIFAR10_NAMES.join('\n'), 'test_batch.bin': cifarRecords([[0], [10]], 1) });
  await rejectsWith(loadDataset('cifar10', 'test', { data: d10 }), 'test_batch.bin', 'record 1: label 10 is out of range 0..9');
  const dm = fresh();
  writeFiles(dm, { ...mnistFiles(2, 2, false), 't10k-labels-idx1-ubyte': idxFile([2], Uint8Array.of(3, 11)) });
  await rejectsWith(loadDataset('mnist', 'test', { data: dm }), 't10k-labels-idx1-ubyte', 'label 1 is 11, out of range 0..9');
});

test('missing member in the archive', async () => {
  const dir = fresh();
  const f = c100(cifarRecords([[1, 1]], 1));
  delete f['cifar-100-binary/fine_label_names.txt'];
  const archive = join(dir, 'cifar-100-binary.tar.gz');
  writeFiles(dir, {});
  await writeTar(archive, f);
  await rejectsWith(loadDataset('cifar100', 'test', { data: archive }), archive, 'no member fine_label_names.txt');
});

test('wrong class-name list', async () => {
  const dir = fresh();
  writeFiles(dir, c100(cifarRecords([[1, 1]], 1), { 'cifar-100-binary/coarse_label_names.txt': 'a\nb\n' }));
  await rejectsWith(loadDataset('cifar100', 'train', { data: dir, coarse: true }), 'coarse_label_names.txt', 'expected 20 class names (one per line), found 2');
});

test('truncated or corrupt archives', async () => {
  const dir = fresh();
  writeFiles(dir, {});
  const good = join(dir, 'good.tar.gz');
  await writeTar(good, c100(cifarRecords([[1, 1], [2, 2], [3, 3]], 1)));
  const bytes = readFileSync(good);
  const cut = join(dir, 'cut.tar.gz');
  writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
  await rejectsWith(loadDataset('cifar100', 'train', { data: cut }), cut, 'truncated gzip data');
  const garbage = join(dir, 'garbage.tar.gz');
  writeFileSync(garbage, Buffer.concat([bytes.subarray(0, 20), Buffer.alloc(2000, 7)]));
  await rejectsWith(loadDataset('cifar100', 'train', { data: garbage }), garbage, /corrupt gzip data|truncated gzip/);
  const plain = join(dir, 'plain.tar');
  await writeTar(plain, c100(cifarRecords([[1, 1], [2, 2], [3, 3]], 1)), false);
  const cutTar = join(dir, 'cut.tar');
  writeFileSync(cutTar, readFileSync(plain).subarray(0, 5000));
  await rejectsWith(readTar(cutTar, () => null), cutTar, 'truncated tar archive');
  const notTar = join(dir, 'notatar.tar');
  writeFileSync(notTar, Buffer.alloc(1024, 65));
  await rejectsWith(readTar(notTar, () => null), notTar, 'not a tar archive');
});

test('idx: wrong magic, wrong sizes, truncated data, count mismatch, truncated gzip', async () => {
  const cases: [Files, string, string | RegExp][] = [
    [{ 'train-images-idx3-ubyte': idxFile([2, 28, 28], new Uint8Array(2 * 784), 0x801) }, 'train-images-idx3-ubyte', 'wrong magic number 0x00000801, expected 0x00000803'],
    [{ 'train-images-idx3-ubyte': idxFile([2, 27, 28], new Uint8Array(2 * 27 * 28)) }, 'train-images-idx3-ubyte', 'images are 27x28, expected 28x28'],
    [{ 'train-images-idx3-ubyte': idxFile([2, 28, 28], new Uint8Array(784)) }, 'train-images-idx3-ubyte', 'truncated: header says 2x28x28 = 1568 bytes of data, file has 784'],
    [{ 'train-labels-idx1-ubyte': idxFile([3], new Uint8Array(3)) }, 'train-labels-idx1-ubyte', '3 labels but'],
    [{ 'train-labels-idx1-ubyte': gz(idxFile([2], new Uint8Array(2))).subarray(0, 20) }, 'train-labels-idx1-ubyte', 'truncated gzip data'],
  ];
  for (const [override, file, problem] of cases) {
    const dir = fresh();
    writeFiles(dir, { ...mnistFiles(2, 2, false), ...override });
    await rejectsWith(loadDataset('mnist', 'train', { data: dir }), join(dir, file), problem);
  }
});

test('bad options', async () => {
  await rejectsWith(loadDataset('cifar10', 'train', { range: [5, 2] }), 'range end must be');
  await rejectsWith(loadDataset('cifar10', 'train', { limit: 0 }), 'limit must be');
  await rejectsWith(loadDataset('mnist', 'train', { coarse: true, data: fresh() }), 'coarse labels exist only for cifar100');
  await rejectsWith(loadDataset('svhn' as 'mnist', 'train'), "unknown dataset 'svhn'");
});
