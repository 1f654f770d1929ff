/** Reads a whole file into one buffer, with one-line errors for the usual problems: checkpoints, and any file given by name. */
import fs from 'node:fs';
import { CheckpointError } from './errors.js';

/** spare bytes after the file's data, so a caller can shift the contents in place to align them */
export const READ_SLACK = 8;

const MAX_FILE = 2 ** 31 - 1 - READ_SLACK;

/** how a reader's errors name its file: what the file should be, and the error type its callers expect */
export interface FileKind {
  /** e.g. 'checkpoint file', in "F is a directory, not a checkpoint file" */
  what: string;
  error: new (message: string) => Error;
}

const CHECKPOINT_FILE: FileKind = { what: 'checkpoint file', error: CheckpointError };

/**
 * The file's bytes as a view at offset 0 of a buffer READ_SLACK bytes longer than the file
 * (see alignInPlace). Read with one allocation of the file's size.
 */
export function readWholeFile(file: string, kind: FileKind = CHECKPOINT_FILE): Uint8Array {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new kind.error(`${file}: no such file`);
    throw new kind.error(`cannot read ${file}: ${e.message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new kind.error(`${file} is a directory, not a ${kind.what}`);
    if (st.size > MAX_FILE) throw new kind.error(`${file} is ${st.size} bytes; files over 2 GiB are not supported`);
    const buf = new Uint8Array(new ArrayBuffer(st.size + READ_SLACK), 0, st.size);
    let got = 0;
    while (got < st.size) {
      const k = fs.readSync(fd, buf, got, st.size - got, got);
      if (k === 0) break;
      got += k;
    }
    return got === st.size ? buf : buf.subarray(0, got);
  } catch (err) {
    if (err instanceof kind.error) throw err;
    throw new kind.error(`cannot read ${file}: ${(err as Error).message}`);
  } finally {
    fs.closeSync(fd);
  }
}

/** the file as UTF-8 text, decoded as fs.readFileSync(file, 'utf8') does, with readWholeFile's errors */
export function readTextFile(file: string, kind: FileKind): string {
  const bytes = readWholeFile(file, kind);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
