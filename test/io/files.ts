/** Paths and comparisons shared by the checkpoint-layer tests. */
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { type NamedArray, bytesOf } from '../../src/io/arrays.js';
import { shapesMatch } from '../../src/io/spec-keys.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(here, '../../../shared/fixtures');
export const DATA = path.join(here, 'data');
export const VGG_FIXTURES = ['vgg5-tiny-c10', 'vgg11-tiny-c100'];
export const ALL_FIXTURES = [...VGG_FIXTURES, 'resnet20-tiny-c10'];

export function fixture(name: string, file: string): string {
  return path.join(FIXTURES, name, file);
}

/** the .pt files a fixture folder holds */
export function ptFiles(name: string): string[] {
  return fs.readdirSync(path.join(FIXTURES, name)).filter((f) => f.endsWith('.pt')).map((f) => path.join(FIXTURES, name, f));
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hire-snn-io-'));
}

/** same dtype, same shape (a [1] equals a 0-dim []), same bytes */
export function assertSameTensor(got: NamedArray, want: NamedArray, what: string): void {
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  assert.ok(shapesMatch(want.shape, got.shape), `${what}: shape [${got.shape}] vs [${want.shape}]`);
  assert.ok(Buffer.from(bytesOf(got)).equals(Buffer.from(bytesOf(want))), `${what}: data differs`);
}

/** exactly equal maps of tensors, in the same key order */
export function assertSameTensors(got: ReadonlyMap<string, NamedArray>, want: ReadonlyMap<string, NamedArray>, what: string, sameOrder = true): void {
  if (sameOrder) assert.deepEqual([...got.keys()], [...want.keys()], `${what}: keys`);
  else assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${what}: keys`);
  for (const [k, w] of want) assertSameTensor(got.get(k)!, w, `${what} ${k}`);
}
