/** safetensors: round trips, alignment, and the header validation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import { concatChunks } from '../../src/io/atomic-write.js';
import { type NamedArray, toFloat32 } from '../../src/io/arrays.js';
import { CheckpointError } from '../../src/io/errors.js';
import { ALL_FIXTURES, assertSameTensors, fixture, tempDir } from './files.js';

/** a file from a header object and a data area */
function raw(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return concatChunks([len, json, data]);
}

const invalid = (bytes: Uint8Array, pattern: RegExp) =>
  assert.throws(
    () => readSafetensors(bytes),
    (e: unknown) => e instanceof CheckpointError && pattern.test(e.message),
  );

test('fixture files round-trip byte-identical tensors', () => {
  for (const name of ALL_FIXTURES) {
    for (const file of ['weights.safetensors', 'case.safetensors']) {
      const a = readSafetensorsFile(fixture(name, file));
      const b = readSafetensors(concatChunks(encodeSafetensors(a.tensors, { note: 'x' })));
      assertSameTensors(b.tensors, a.tensors, `${name}/${file}`, false);
      assert.deepEqual(b.metadata, { note: 'x' });
    }
  }
});

test('every dtype, 0-dim and empty tensors; writes are atomic and aligned', () => {
  const tensors: [string, NamedArray][] = [
    ['f32', { dtype: 'F32', shape: [2, 2], data: Float32Array.from([1, -2, 3.5, 4]) }],
    ['u8', { dtype: 'U8', shape: [3], data: Uint8Array.from([1, 2, 3]) }],
    ['f64', { dtype: 'F64', shape: [], data: Float64Array.from([Math.PI]) }],
    ['i64', { dtype: 'I64', shape: [2], data: BigInt64Array.from([-5n, 2n ** 60n]) }],
    ['f16', { dtype: 'F16', shape: [3], data: Uint16Array.from([0x3c00, 0xc000, 0x7bff]) }],
    ['bf16', { dtype: 'BF16', shape: [1], data: Uint16Array.from([0x3fc0]) }],
    ['bool', { dtype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) }],
    ['empty', { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) }],
  ];
  const dir = tempDir();
  const file = path.join(dir, 'all.safetensors');
  writeSafetensorsFile(file, tensors, { 'hire-snn': '{"a":1}' });
  assert.deepEqual(fs.readdirSync(dir), ['all.safetensors']);
  const back = readSafetensorsFile(file);
  assertSameTensors(back.tensors, new Map(tensors), 'all', false);
  assert.equal(back.metadata['hire-snn'], '{"a":1}');
  for (const t of back.tensors.values()) assert.equal(t.data.byteOffset % t.data.BYTES_PER_ELEMENT, 0);
  assert.deepEqual(Array.from(toFloat32(back.tensors.get('f16')!)), [1, -2, 65504]);
  assert.deepEqual(Array.from(toFloat32(back.tensors.get('bf16')!)), [1.5]);
  assert.deepEqual(Array.from(toFloat32(back.tensors.get('i64')!)), [-5, 2 ** 60]);
  fs.rmSync(dir, { recursive: true });
});

test('a tensor named __proto__ is just a name', () => {
  const t: NamedArray = { dtype: 'F32', shape: [1], data: Float32Array.from([7]) };
  const back = readSafetensors(concatChunks(encodeSafetensors([['__proto__', t]])));
  assert.deepEqual(Array.from(toFloat32(back.tensors.get('__proto__')!)), [7]);
});

test('header validation', () => {
  const four = new Uint8Array(4);
  const entry = (o: object) => ({ dtype: 'F32', shape: [1], data_offsets: [0, 4], ...o });
  invalid(new Uint8Array(3), /too short/);
  invalid(Uint8Array.from([255, 255, 255, 255, 255, 255, 255, 255, 123]), /exceeds the file/);
  invalid(concatChunks([Uint8Array.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"a"')]), /header is not valid JSON/);
  invalid(raw([1, 2]), /not a JSON object/);
  invalid(raw({ a: entry({ dtype: 'F8_E4M3' }) }, four), /unsupported dtype/);
  invalid(raw({ a: entry({ shape: [-1] }) }, four), /bad shape/);
  invalid(raw({ a: entry({ shape: [2] }) }, four), /needs 8 bytes, data_offsets span 4/);
  invalid(raw({ a: entry({ data_offsets: [0, 8] }) }, four), /outside the 4 data bytes/);
  invalid(raw({ a: entry({ data_offsets: [4, 0] }) }, four), /outside/);
  invalid(raw({ a: entry({}), b: entry({}) }, new Uint8Array(8)), /starts at data byte 0, expected 4/);
  invalid(raw({ a: entry({ data_offsets: [4, 8] }) }, new Uint8Array(8)), /starts at data byte 4, expected 0/);
  invalid(raw({ a: entry({}) }, new Uint8Array(8)), /cover 4 data bytes but the file holds 8/);
  invalid(raw({ __metadata__: { a: 1 } }), /not a string/);
  invalid(raw({ a: 'x' }), /not an object/);
  invalid(raw({ a: entry({ shape: [1e300] }) }, four), /bad shape|needs/);
  // the same checks hold for files: errors name the file
  const dir = tempDir();
  const file = path.join(dir, 'bad.safetensors');
  fs.writeFileSync(file, raw({ a: entry({ shape: [2] }) }, four));
  assert.throws(() => readSafetensorsFile(file), new RegExp(`^CheckpointError: ${file}: tensor "a"`.replace(/\//g, '\\/')));
  fs.rmSync(dir, { recursive: true });
});

test('the writer refuses inconsistent input', () => {
  assert.throws(() => encodeSafetensors([['a', { dtype: 'F32', shape: [3], data: new Float32Array(2) }]]), /needs 3 values/);
  assert.throws(() => encodeSafetensors([['a', { dtype: 'F64', shape: [2], data: new Float32Array(2) }]]), /F64 data in a Float32Array/);
  assert.throws(() => encodeSafetensors([['__metadata__', { dtype: 'F32', shape: [0], data: new Float32Array(0) }]]), /invalid tensor name/);
});
