/** Test helpers: small data files in the official layouts, written to a temporary directory. */
import { createWriteStream } from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { Rng } from '../../src/data/rng.js';

export const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
export const FINE_NAMES = Array.from({ length: 100 }, (_, i) => `fine_${i}`);
export const COARSE_NAMES = Array.from({ length: 20 }, (_, i) => `coarse_${i}`);

export function tempDir(tag: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), `hire-snn-${tag}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** deterministic pixel bytes for record `i` of a file (distinct per record) */
export function pixels(seed: number, n = 3072): Uint8Array {
  const rng = new Rng(seed);
  const p = new Uint8Array(n);
  for (let i = 0; i < n; i++) p[i] = rng.int(256);
  return p;
}

/** CIFAR records: label bytes then pixels */
export function cifarRecords(labels: number[][], seed: number): Uint8Array {
  const L = labels[0]?.length ?? 1;
  const R = L + 3072;
  const out = new Uint8Array(labels.length * R);
  labels.forEach((ls, i) => {
    out.set(ls, i * R);
    out.set(pixels(seed * 1000 + i), i * R + L);
  });
  return out;
}

export type Files = Record<string, Uint8Array | string>;

/** writes files (relative paths) under dir */
export function writeFiles(dir: string, files: Files): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
}

/** writes a tar (gzipped unless gzip=false) holding the files, in the given order */
export async function writeTar(path: string, files: Files, gzip = true): Promise<void> {
  const p = pack();
  const dirs = new Set(Object.keys(files).map((n) => dirname(n)).filter((d) => d !== '.'));
  for (const d of dirs) p.entry({ name: `${d}/`, type: 'directory' });
  for (const [name, data] of Object.entries(files)) p.entry({ name }, typeof data === 'string' ? data : Buffer.from(data));
  p.finalize();
  const out = createWriteStream(path);
  if (gzip) await pipeline(p, createGzip(), out);
  else await pipeline(p, out);
}

export const gz = (data: Uint8Array): Uint8Array => gzipSync(data);

/** an idx file: magic 0x0000 08 ndims, big-endian dims, data */
export function idxFile(dims: number[], data: Uint8Array, magic = 0x800 + dims.length): Uint8Array {
  const head = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  head.setUint32(0, magic);
  dims.forEach((d, i) => head.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(head.byteLength + data.length);
  out.set(new Uint8Array(head.buffer), 0);
  out.set(data, head.byteLength);
  return out;
}

/** a small MNIST-layout directory: n train and m test images of 28x28 */
export function mnistFiles(nTrain: number, nTest: number, compress: boolean): Files {
  const make = (n: number, seed: number): [Uint8Array, Uint8Array] => {
    const labels = Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10);
    return [idxFile([n, 28, 28], pixels(seed, n * 784)), idxFile([n], labels)];
  };
  const [ti, tl] = make(nTrain, 1);
  const [si, sl] = make(nTest, 2);
  const f = (b: Uint8Array): Uint8Array => (compress ? gz(b) : b);
  const ext = compress ? '.gz' : '';
  return {
    [`train-images-idx3-ubyte${ext}`]: f(ti),
    [`train-labels-idx1-ubyte${ext}`]: f(tl),
    [`t10k-images-idx3-ubyte${ext}`]: f(si),
    [`t10k-labels-idx1-ubyte${ext}`]: f(sl),
  };
}
