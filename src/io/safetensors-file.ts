/** safetensors files on disk (Node only): the bytes format itself is src/io/safetensors.ts. */
import type { NamedArray } from './arrays.js';
import { atomicWriteChunks } from './atomic-write.js';
import { wrapErrors } from './errors.js';
import { readWholeFile } from './read-file.js';
import { encodeSafetensors, readSafetensors, type SafetensorsContents } from './safetensors.js';

export function readSafetensorsFile(file: string): SafetensorsContents {
  const bytes = readWholeFile(file);
  return wrapErrors(file, () => readSafetensors(bytes));
}

/** writes a safetensors file atomically */
export function writeSafetensorsFile(file: string, tensors: Iterable<[string, NamedArray]>, metadata?: Record<string, string>): void {
  atomicWriteChunks(file, encodeSafetensors(tensors, metadata));
}
