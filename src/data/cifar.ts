/**
 * CIFAR-10 and CIFAR-100 binary versions, from the official .tar.gz (streamed, read once for all
 * splits) or from the extracted directory. Records: label byte(s) then 3072 pixels (R, G, B planes
 * of 32x32, row-major), which is already NCHW, so pixels are copied straight into place.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { baseName, readTar, readTarFiles, type MemberSink } from './archive.js';
import type { Dataset, Split } from './dataset.js';
import { corrupt, DataError } from './errors.js';
import { CIFAR_LAYOUTS } from './locate.js';
import { countRecords, recordSink, recordSize, type RecordLayout, type RecordTarget } from './records.js';

export type CifarName = 'cifar10' | 'cifar100';

export interface CifarRequest {
  /** CIFAR-100: coarse (20-class) labels instead of fine ones */
  coarse?: boolean;
  /** per split, the records wanted: [start, end); end may be Infinity */
  ranges: Partial<Record<Split, [number, number]>>;
  /** records per file that the single-pass archive reader assumes (default: the official counts; tests use small ones) */
  recordsPerFile?: Record<Split, number>;
}

type Result = Partial<Record<Split, Dataset>>;

const PIXELS = 3 * 32 * 32;

/** official number of records per file */
const EXPECTED: Record<CifarName, Record<Split, number>> = {
  cifar10: { train: 10000, test: 10000 },
  cifar100: { train: 50000, test: 10000 },
};

function layoutOf(name: CifarName, coarse: boolean): RecordLayout {
  if (name === 'cifar10') return { labelBytes: 1, labelIndex: 0, labelLimits: [10], labelNames: ['label'], pixelBytes: PIXELS };
  return { labelBytes: 2, labelIndex: coarse ? 0 : 1, labelLimits: [20, 100], labelNames: ['coarse label', 'fine label'], pixelBytes: PIXELS };
}

/** class names from a meta text file: one per line, blank lines ignored */
export function parseLabelNames(file: string, bytes: Uint8Array, expected: number): string[] {
  const names = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
    .toString('utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length !== expected) throw corrupt(file, `expected ${expected} class names (one per line), found ${names.length}`);
  return names;
}

function classNames(name: CifarName, coarse: boolean, meta: (file: string) => [string, Uint8Array]): string[] {
  if (name === 'cifar10') return parseLabelNames(...meta('batches.meta.txt'), 10);
  return coarse ? parseLabelNames(...meta('coarse_label_names.txt'), 20) : parseLabelNames(...meta('fine_label_names.txt'), 100);
}

function makeTarget(total: number, range: [number, number], where: string, split: Split): RecordTarget {
  const [start, end0] = range;
  const end = Math.min(end0, total);
  if (start >= end && total > 0) throw new DataError(`${where}: requested ${split} records [${start}, ${end0}) but there are only ${total}`);
  const n = Math.max(0, end - start);
  return { images: new Uint8Array(n * PIXELS), labels: new Uint8Array(n), start, end };
}

function toDataset(name: CifarName, split: Split, t: RecordTarget, classes: string[]): Dataset {
  const count = t.labels.length;
  return { name, split, images: t.images, labels: t.labels, count, channels: 3, height: 32, width: 32, classes, numClasses: classes.length };
}

/** whether the file's records [base, base+records) meet the target range */
const overlaps = (t: RecordTarget, base: number, records: number): boolean => base < t.end && base + records > t.start;

/** extracted directory: sizes known up front, each file streamed into place */
async function readDir(name: CifarName, dir: string, req: CifarRequest): Promise<Result> {
  const spec = CIFAR_LAYOUTS[name];
  const layout = layoutOf(name, req.coarse ?? false);
  const metaFiles = new Map<string, Uint8Array>();
  for (const m of spec.meta) metaFiles.set(m, await readFile(join(dir, m)));
  const classes = classNames(name, req.coarse ?? false, (f) => [join(dir, f), metaFiles.get(f) as Uint8Array]);
  const out: Result = {};
  for (const split of Object.keys(req.ranges) as Split[]) {
    const files = spec.files[split].map((f) => join(dir, f));
    const counts: number[] = [];
    for (const f of files) counts.push(countRecords(f, (await stat(f)).size, layout, spec.title));
    const target = makeTarget(counts.reduce((a, b) => a + b, 0), req.ranges[split] as [number, number], dir, split);
    let base = 0;
    for (let k = 0; k < files.length; k++) {
      if (overlaps(target, base, counts[k])) await streamFile(files[k], recordSink(files[k], layout, target, base, counts[k]));
      base += counts[k];
    }
    out[split] = toDataset(name, split, target, classes);
  }
  return out;
}

async function streamFile(file: string, sink: MemberSink): Promise<void> {
  const src = createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of src) if (sink.write(chunk as Buffer) === true) break;
  } finally {
    src.destroy();
  }
  sink.end();
}

/** signals that the archive's files are not the official sizes: read them whole instead */
class NotOfficial extends Error {}

/** official archive: one streaming pass, records written at their official offsets */
async function readArchiveStreaming(name: CifarName, archive: string, req: CifarRequest): Promise<Result> {
  const spec = CIFAR_LAYOUTS[name];
  const layout = layoutOf(name, req.coarse ?? false);
  const splits = Object.keys(req.ranges) as Split[];
  const targets = new Map<Split, RecordTarget>();
  const members = new Map<string, { split: Split; base: number; records: number }>();
  for (const split of splits) {
    const per = (req.recordsPerFile ?? EXPECTED[name])[split];
    const files = spec.files[split];
    targets.set(split, makeTarget(per * files.length, req.ranges[split] as [number, number], archive, split));
    files.forEach((f, k) => members.set(f, { split, base: k * per, records: per }));
  }
  const pending = new Set<string>(spec.meta);
  for (const [f, m] of members) if (overlaps(targets.get(m.split) as RecordTarget, m.base, m.records)) pending.add(f);
  const meta = new Map<string, [string, Uint8Array]>();
  const seen = await readTar(
    archive,
    (member, size) => {
      const base = baseName(member);
      if (!pending.has(base)) return null;
      const where = `${archive} (member ${member})`;
      const m = members.get(base);
      if (!m) {
        const chunks: Uint8Array[] = [];
        return { write: (c) => void chunks.push(c), end: () => void (meta.set(base, [where, Buffer.concat(chunks)]), pending.delete(base)) };
      }
      if (size !== m.records * recordSize(layout)) throw new NotOfficial();
      const sink = recordSink(where, layout, targets.get(m.split) as RecordTarget, m.base, m.records);
      return { write: (c) => sink.write(c), end: () => (sink.end(), void pending.delete(base)) };
    },
    { done: () => pending.size === 0 },
  );
  if (pending.size > 0) throw missingMembers(archive, [...pending], seen);
  const classes = classNames(name, req.coarse ?? false, (f) => meta.get(f) as [string, Uint8Array]);
  const out: Result = {};
  for (const split of splits) out[split] = toDataset(name, split, targets.get(split) as RecordTarget, classes);
  return out;
}

function missingMembers(archive: string, missing: string[], seen: string[]): DataError {
  const list = seen.length ? seen.join(', ') : 'none';
  return corrupt(archive, `no member ${missing.join(', ')} in the archive (it holds: ${list})`);
}

/** archive whose files are not the official sizes (e.g. small test files): members read whole, then parsed */
async function readArchiveWhole(name: CifarName, archive: string, req: CifarRequest): Promise<Result> {
  const spec = CIFAR_LAYOUTS[name];
  const layout = layoutOf(name, req.coarse ?? false);
  const splits = Object.keys(req.ranges) as Split[];
  const wanted = [...spec.meta, ...splits.flatMap((s) => spec.files[s])];
  const files = await readTarFiles(archive, wanted);
  const missing = wanted.filter((f) => !files.has(f));
  if (missing.length) throw missingMembers(archive, missing, []);
  const where = (f: string): string => `${archive} (member ${spec.dir}/${f})`;
  const classes = classNames(name, req.coarse ?? false, (f) => [where(f), files.get(f) as Uint8Array]);
  const out: Result = {};
  for (const split of splits) {
    const names = spec.files[split];
    const counts = names.map((f) => countRecords(where(f), (files.get(f) as Uint8Array).length, layout, spec.title));
    const target = makeTarget(counts.reduce((a, b) => a + b, 0), req.ranges[split] as [number, number], archive, split);
    let base = 0;
    names.forEach((f, k) => {
      if (overlaps(target, base, counts[k])) {
        const sink = recordSink(where(f), layout, target, base, counts[k]);
        sink.write(files.get(f) as Uint8Array);
        sink.end();
      }
      base += counts[k];
    });
    out[split] = toDataset(name, split, target, classes);
  }
  return out;
}

/** reads the requested splits of CIFAR-10/100 from an archive or an extracted directory */
export async function readCifar(name: CifarName, source: { kind: 'archive' | 'dir'; path: string }, req: CifarRequest): Promise<Result> {
  if (source.kind === 'dir') {
    try {
      return await readDir(name, source.path, req);
    } catch (err) {
      const e = err as { code?: string; path?: string };
      if (e.code === 'ENOENT' && e.path) throw corrupt(e.path, `missing (${CIFAR_LAYOUTS[name].title} needs it)`);
      throw err;
    }
  }
  try {
    return await readArchiveStreaming(name, source.path, req);
  } catch (err) {
    if (err instanceof NotOfficial) return readArchiveWhole(name, source.path, req);
    throw err;
  }
}
