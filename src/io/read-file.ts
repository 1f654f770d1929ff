/** Reads a whole checkpoint file into one buffer, with one-line errors for the usual problems. */
import fs from 'node:fs';
import { CheckpointError } from './errors.js';

/** spare bytes after the file's data, so a caller can shift the contents in place to align them */
export const READ_SLACK = 8;

const MAX_FILE = 2 ** 31 - 1 - READ_SLACK;

/**
 * The file's bytes as a view at offset 0 of a buffer READ_SLACK bytes longer than the file
 * (see alignInPlace). Read with one allocation of the file's size.
 */
export function readWholeFile(file: string): Uint8Array {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new CheckpointError(`${file}: no such file`);
    throw new CheckpointError(`cannot read ${file}: ${e.message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new CheckpointError(`${file} is a directory, not a checkpoint file`);
    if (st.size > MAX_FILE) throw new CheckpointError(`${file} is ${st.size} bytes; files over 2 GiB are not supported`);
    const buf = new Uint8Array(new ArrayBuffer(st.size + READ_SLACK), 0, st.size);
    let got = 0;
    while (got < st.size) {
      const k = fs.readSync(fd, buf, got, st.size - got, got);
      if (k === 0) break;
      got += k;
    }
    return got === st.size ? buf : buf.subarray(0, got);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(`cannot read ${file}: ${(err as Error).message}`);
  } finally {
    fs.closeSync(fd);
  }
}

