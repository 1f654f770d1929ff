/**
 * Atomic file writes: the bytes go to a temporary file in the target's directory, are
 * fsynced, and the file is renamed over the target, so a reader never sees half a file and
 * a crash leaves either the old file or the new one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CheckpointError } from './errors.js';

/** writes the concatenation of `chunks` to `file` atomically (chunks are written one by one, never joined) */
export function atomicWriteChunks(file: string, chunks: readonly Uint8Array[]): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.byteLength) done += fs.writeSync(fd, chunk, done, chunk.byteLength - done);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    const msg = err instanceof Error ? err.message : String(err);
    throw new CheckpointError(`cannot write ${file}: ${msg}`, { cause: err });
  }
  syncDir(dir);
}

/** fsync a directory so the rename itself is durable (best effort: not every platform allows it) */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some file systems refuse to fsync directories; the data itself is already synced
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** joins chunks into one buffer (for in-memory use and tests) */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.byteLength;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
