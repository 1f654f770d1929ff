/** loadDataset(): find the files, read the wanted split(s) and records, return Datasets. */
import { readCifar } from './cifar.js';
import type { Dataset, DatasetName, Split } from './dataset.js';
import { isDatasetName } from './dataset.js';
import { DataError } from './errors.js';
import { readIdxDataset } from './idx.js';
import { locateData, type DataSource } from './locate.js';

export interface LoadOptions {
  /** a directory or an archive; default: HIRE_SNN_DATA, ./data, known fallbacks */
  data?: string;
  /** CIFAR-100 only: the 20 coarse classes instead of the 100 fine ones */
  coarse?: boolean;
  /** at most this many records (after `range`) */
  limit?: number;
  /** records [start, end) of the split, in file order */
  range?: [number, number];
}

/** the record range [start, end) that the options ask for; end may be Infinity */
export function requestedRange(opts: LoadOptions): [number, number] {
  const start = opts.range?.[0] ?? 0;
  let end = opts.range?.[1] ?? Infinity;
  if (!(Number.isInteger(start) && start >= 0)) throw new DataError(`range start must be a whole number >= 0, got ${start}`);
  if (!(end === Infinity || (Number.isInteger(end) && end > start))) throw new DataError(`range end must be a whole number > ${start}, got ${end}`);
  if (opts.limit !== undefined) {
    if (!(Number.isInteger(opts.limit) && opts.limit > 0)) throw new DataError(`limit must be a whole number > 0, got ${opts.limit}`);
    end = Math.min(end, start + opts.limit);
  }
  return [start, end];
}

function checkName(name: string): DatasetName {
  if (!isDatasetName(name)) throw new DataError(`unknown dataset '${name}' (known: cifar10, cifar100, mnist, fashion-mnist)`);
  return name;
}

/** reads several splits of a dataset from an already located source (archives are read once for all) */
function checkOptions(name: DatasetName, opts: Omit<LoadOptions, 'data'>): [number, number] {
  if (opts.coarse && name !== 'cifar100') throw new DataError(`coarse labels exist only for cifar100, not ${name}`);
  return requestedRange(opts);
}

export async function readSource(source: DataSource, splits: Split[], opts: Omit<LoadOptions, 'data'> = {}): Promise<Record<Split, Dataset>> {
  const name = source.dataset;
  const range = checkOptions(name, opts);
  const out: Partial<Record<Split, Dataset>> = {};
  if (source.kind === 'idx') {
    if (name !== 'mnist' && name !== 'fashion-mnist') throw new DataError(`${name} is not stored as idx files`);
    for (const split of splits) {
      const f = source.files[split];
      if (!f) throw new DataError(`${source.path}: no ${split} files were located`);
      out[split] = await readIdxDataset(name, split, { ...f, range });
    }
  } else {
    if (name !== 'cifar10' && name !== 'cifar100') throw new DataError(`${name} is not a CIFAR dataset`);
    const ranges: Partial<Record<Split, [number, number]>> = {};
    for (const s of splits) ranges[s] = range;
    Object.assign(out, await readCifar(name, source, { coarse: opts.coarse, ranges }));
  }
  return out as Record<Split, Dataset>;
}

/** reads several splits in one go (a CIFAR archive is streamed only once) */
export async function loadDatasets(name: DatasetName, splits: Split[], opts: LoadOptions = {}): Promise<Record<Split, Dataset>> {
  const ds = checkName(name);
  checkOptions(ds, opts);
  return readSource(locateData(ds, splits, opts.data), splits, opts);
}

/** reads one split of a dataset: images as NCHW bytes, labels as bytes */
export async function loadDataset(name: DatasetName, split: Split, opts: LoadOptions = {}): Promise<Dataset> {
  if (split !== 'train' && split !== 'test') throw new DataError(`unknown split '${String(split)}' (train or test)`);
  return (await loadDatasets(name, [split], opts))[split];
}
