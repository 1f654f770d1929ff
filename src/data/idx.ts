/**
 * MNIST-style idx files (plain or .gz): big-endian header, magic 0x0000 08 <ndims> for unsigned
 * bytes, then ndims 32-bit sizes, then the data. Images are N x 28 x 28, labels N.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Dataset, DatasetName, Split } from './dataset.js';
import { DATASET_SHAPE, FASHION_MNIST_CLASSES, MNIST_CLASSES } from './dataset.js';
import { corrupt, DataError } from './errors.js';

const gunzipAsync = promisify(gunzip);

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** parses an idx buffer of unsigned bytes with `ndims` dimensions */
export function parseIdx(file: string, buf: Uint8Array, ndims: number): IdxArray {
  if (buf.length < 4) throw corrupt(file, `too short for an idx header (${buf.length} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const magic = view.getUint32(0);
  const expected = 0x800 + ndims;
  if (magic !== expected) {
    const hex = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`;
    throw corrupt(file, `wrong magic number ${hex(magic)}, expected ${hex(expected)} (idx unsigned-byte data with ${ndims} dimension${ndims > 1 ? 's' : ''})`);
  }
  const header = 4 + 4 * ndims;
  if (buf.length < header) throw corrupt(file, `truncated header (${buf.length} of ${header} bytes)`);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  const have = buf.length - header;
  if (have < size) throw corrupt(file, `truncated: header says ${dims.join('x')} = ${size} bytes of data, file has ${have}`);
  if (have > size) throw corrupt(file, `${have - size} unexpected bytes after the ${dims.join('x')} data`);
  // a plain Uint8Array view (not a Buffer, whose slice() would not copy)
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + header, size) };
}

/** reads an idx file, gunzipping it when it starts with the gzip magic bytes */
export async function readIdxFile(file: string, ndims: number): Promise<IdxArray> {
  let buf: Uint8Array;
  try {
    buf = await readFile(file);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw corrupt(file, 'no such file');
    throw err;
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = await gunzipAsync(buf);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const truncated = e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message ?? '');
      throw corrupt(file, truncated ? 'truncated gzip data (the download is incomplete)' : `corrupt gzip data (${e.message ?? e.code})`);
    }
  }
  return parseIdx(file, buf, ndims);
}

export interface IdxRequest {
  images: string;
  labels: string;
  /** records wanted: [start, end); end may be Infinity */
  range: [number, number];
}

/** reads an images/labels pair of MNIST or Fashion-MNIST into a Dataset */
export async function readIdxDataset(name: Extract<DatasetName, 'mnist' | 'fashion-mnist'>, split: Split, req: IdxRequest): Promise<Dataset> {
  const shape = DATASET_SHAPE[name];
  const [img, lab] = await Promise.all([readIdxFile(req.images, 3), readIdxFile(req.labels, 1)]);
  const [n, h, w] = img.dims;
  if (h !== shape.height || w !== shape.width) throw corrupt(req.images, `images are ${h}x${w}, expected ${shape.height}x${shape.width}`);
  if (lab.dims[0] !== n) throw corrupt(req.labels, `${lab.dims[0]} labels but ${req.images} has ${n} images`);
  for (let i = 0; i < n; i++) {
    if (lab.data[i] >= shape.numClasses) throw corrupt(req.labels, `label ${i} is ${lab.data[i]}, out of range 0..${shape.numClasses - 1}`);
  }
  const start = req.range[0];
  const end = Math.min(req.range[1], n);
  if (start >= end && n > 0) throw new DataError(`${req.images}: requested ${split} records [${start}, ${req.range[1]}) but there are only ${n}`);
  const count = Math.max(0, end - start);
  const px = h * w;
  const whole = start === 0 && end === n;
  // a sub-range is copied so the rest of the file can be freed
  const images = whole ? img.data : img.data.slice(start * px, end * px);
  const labels = whole ? lab.data : lab.data.slice(start, end);
  const classes = name === 'mnist' ? [...MNIST_CLASSES] : [...FASHION_MNIST_CLASSES];
  return { name, split, images, labels, count, channels: 1, height: h, width: w, classes, numClasses: classes.length };
}
