/**
 * Where dataset files are: an explicit `--data PATH` (a directory or an archive), else the
 * HIRE_SNN_DATA environment variable, else ./data, plus known fallbacks (the repository's sibling
 * ../shared/data/cifar10 for CIFAR-10, /usr/share/datasets/fashion-mnist for Fashion-MNIST).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../package.js';
import type { DatasetName, Split } from './dataset.js';
import { DataError } from './errors.js';

interface CifarLayout {
  title: string;
  dir: string;
  archives: string[];
  files: Record<Split, string[]>;
  meta: string[];
  /** the Python version, which is not read; only mentioned when found */
  python: string[];
}

interface IdxLayout {
  title: string;
  files: Record<Split, [images: string, labels: string]>;
}

export const CIFAR_LAYOUTS: Record<'cifar10' | 'cifar100', CifarLayout> = {
  cifar10: {
    title: 'CIFAR-10',
    dir: 'cifar-10-batches-bin',
    archives: ['cifar-10-binary.tar.gz', 'cifar-10-binary.tgz', 'cifar-10-binary.tar'],
    files: { train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'] },
    meta: ['batches.meta.txt'],
    python: ['cifar-10-batches-py', 'cifar-10-python.tar.gz'],
  },
  cifar100: {
    title: 'CIFAR-100',
    dir: 'cifar-100-binary',
    archives: ['cifar-100-binary.tar.gz', 'cifar-100-binary.tgz', 'cifar-100-binary.tar'],
    files: { train: ['train.bin'], test: ['test.bin'] },
    meta: ['fine_label_names.txt', 'coarse_label_names.txt'],
    python: ['cifar-100-python', 'cifar-100-python.tar.gz'],
  },
};

const idxFiles = (): IdxLayout['files'] => ({
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
});

export const IDX_LAYOUTS: Record<'mnist' | 'fashion-mnist', IdxLayout> = {
  mnist: { title: 'MNIST', files: idxFiles() },
  'fashion-mnist': { title: 'Fashion-MNIST', files: idxFiles() },
};

/** sub-directories of a data root that may hold a dataset (torchvision's layouts included) */
const SUBDIRS: Record<DatasetName, string[]> = {
  cifar10: ['cifar10', 'cifar-10', 'CIFAR10', 'CIFAR-10'],
  cifar100: ['cifar100', 'cifar-100', 'CIFAR100', 'CIFAR-100'],
  mnist: ['mnist', 'MNIST', 'MNIST/raw'],
  'fashion-mnist': ['fashion-mnist', 'fashion_mnist', 'FashionMNIST', 'FashionMNIST/raw', 'fashion'],
};

const PUBLISHED: Record<DatasetName, string> = {
  cifar10: 'https://www.cs.toronto.edu/~kriz/cifar.html (the "CIFAR-10 binary version")',
  cifar100: 'https://www.cs.toronto.edu/~kriz/cifar.html (the "CIFAR-100 binary version")',
  mnist: 'http://yann.lecun.com/exdb/mnist/',
  'fashion-mnist': 'https://github.com/zalandoresearch/fashion-mnist (or `apt-get install dataset-fashion-mnist`)',
};

export type DataSource =
  | { kind: 'archive'; dataset: DatasetName; path: string }
  | { kind: 'dir'; dataset: DatasetName; path: string }
  | { kind: 'idx'; dataset: DatasetName; path: string; files: Partial<Record<Split, { images: string; labels: string }>> };

interface Root {
  path: string;
  why: string;
}

/** the places searched, in order */
export function searchRoots(name: DatasetName, data?: string): Root[] {
  if (data !== undefined) return [{ path: resolve(data), why: '--data' }];
  const roots: Root[] = [];
  const env = process.env.HIRE_SNN_DATA;
  if (env) roots.push({ path: resolve(env), why: 'HIRE_SNN_DATA' });
  roots.push({ path: resolve('data'), why: './data' });
  const pkg = packageRoot();
  if (name === 'cifar10' && pkg) roots.push({ path: resolve(pkg, '../shared/data/cifar10'), why: 'shared copy next to the repository' });
  if (name === 'fashion-mnist') roots.push({ path: '/usr/share/datasets/fashion-mnist', why: 'Debian package dataset-fashion-mnist' });
  return roots;
}

const isFile = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
const isDir = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** an idx file in plain or gz form (also the "train-images.idx3-ubyte" spelling) */
function findIdx(dir: string, base: string): string | null {
  for (const n of [base, base.replace('-idx', '.idx')]) {
    for (const f of [`${n}.gz`, n]) if (isFile(join(dir, f))) return join(dir, f);
  }
  return null;
}

function candidates(name: DatasetName, root: string): string[] {
  return [root, ...SUBDIRS[name].map((s) => join(root, s))].filter(isDir);
}

function findCifar(name: 'cifar10' | 'cifar100', splits: Split[], root: Root, notes: string[]): DataSource | null {
  const layout = CIFAR_LAYOUTS[name];
  if (isFile(root.path)) return { kind: 'archive', dataset: name, path: root.path };
  const needed = [...splits.flatMap((s) => layout.files[s]), ...layout.meta];
  for (const dir of candidates(name, root.path)) {
    for (const d of [dir, join(dir, layout.dir)]) {
      if (!isDir(d)) continue;
      const missing = needed.filter((f) => !isFile(join(d, f)));
      if (missing.length === 0) return { kind: 'dir', dataset: name, path: d };
      if (missing.length < needed.length) notes.push(`${d} lacks ${missing.join(', ')}`);
    }
    for (const a of layout.archives) if (isFile(join(dir, a))) return { kind: 'archive', dataset: name, path: join(dir, a) };
    for (const p of layout.python) {
      if (existsSync(join(dir, p))) notes.push(`${join(dir, p)} is the Python version; hire-snn reads the binary version`);
    }
  }
  return null;
}

function findIdxFiles(name: 'mnist' | 'fashion-mnist', splits: Split[], root: Root, notes: string[]): DataSource | null {
  const layout = IDX_LAYOUTS[name];
  if (isFile(root.path)) {
    notes.push(`${root.path} is a file; ${layout.title} needs a directory holding the idx files`);
    return null;
  }
  for (const dir of candidates(name, root.path)) {
    const files: Partial<Record<Split, { images: string; labels: string }>> = {};
    const missing: string[] = [];
    for (const s of splits) {
      const [img, lab] = layout.files[s];
      const images = findIdx(dir, img);
      const labels = findIdx(dir, lab);
      if (!images) missing.push(img);
      if (!labels) missing.push(lab);
      if (images && labels) files[s] = { images, labels };
    }
    if (missing.length === 0) return { kind: 'idx', dataset: name, path: dir, files };
    if (missing.length < 2 * splits.length) notes.push(`${dir} lacks ${missing.join(', ')} (plain or .gz)`);
  }
  return null;
}

/** what a dataset needs, for messages */
export function neededFiles(name: DatasetName, splits: Split[]): string {
  if (name === 'cifar10' || name === 'cifar100') {
    const l = CIFAR_LAYOUTS[name];
    const files = [...splits.flatMap((s) => l.files[s]), ...l.meta].join(', ');
    return `${l.archives[0]}, or its extracted directory ${l.dir}/ with ${files}`;
  }
  const l = IDX_LAYOUTS[name];
  return `${splits.flatMap((s) => l.files[s]).join(', ')} (each plain or .gz) in one directory`;
}

/** finds the data for `name` (all of `splits`), or throws a DataError saying what is needed and where it was looked for */
export function locateData(name: DatasetName, splits: Split[], data?: string): DataSource {
  const notes: string[] = [];
  const roots = searchRoots(name, data);
  for (const root of roots) {
    const found =
      name === 'cifar10' || name === 'cifar100' ? findCifar(name, splits, root, notes) : findIdxFiles(name, splits, root, notes);
    if (found) return found;
  }
  const title = name === 'cifar10' || name === 'cifar100' ? CIFAR_LAYOUTS[name].title : IDX_LAYOUTS[name].title;
  const lines = [
    `${title} data not found.`,
    `Needed: ${neededFiles(name, splits)}.`,
    'Looked in:',
    ...roots.map((r) => `  ${r.path} (${r.why}${existsSync(r.path) ? '' : ', does not exist'})`),
    `  (in each: ${name.startsWith('cifar') ? 'the files themselves, the extracted directory, the archive' : 'the files themselves'}; and in the sub-directories ${SUBDIRS[name].map((d) => `${d}/`).join(' ')})`,
    ...notes.map((n) => `  note: ${n}`),
    `${title} is published at ${PUBLISHED[name]}.`,
    `Pass its location with --data PATH (${name.startsWith('cifar') ? 'the archive or a directory' : 'a directory'}) or set HIRE_SNN_DATA.`,
  ];
  throw new DataError(lines.join('\n'));
}
