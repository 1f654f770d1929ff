/**
 * Output paths checked before any work, so a long run never ends by failing to write its
 * results: a file's directory must exist and take new files; a run directory must be one that
 * takes new files, or be creatable. Both are probed by really creating (and removing) a file or
 * directory there, which catches read-only file systems, permissions and full disks alike.
 * Used by train, bench, eval and report; errors are one line naming the option.
 */
import fs from 'node:fs';
import path from 'node:path';

export class OutputPathError extends Error {
  override name = 'OutputPathError';
}

const REASONS: Record<string, string> = {
  EROFS: 'it is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  ENAMETOOLONG: 'the name is too long',
};

/** a failed file system call in words: "it is on a read-only file system", "permission denied", ... */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e.code && REASONS[e.code]) ?? e.message ?? String(err);
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null; // ENOTDIR: a file sits where a directory would be
    throw new OutputPathError(`cannot look at ${p}: ${describeFsError(err)}`);
  }
}

/** creates and removes a file (or a directory) in `dir`: null when that works, else why not */
function probe(dir: string, kind: 'file' | 'dir'): string | null {
  const p = path.join(dir, `.hire-snn-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    if (kind === 'dir') fs.rmdirSync(fs.mkdtempSync(p));
    else {
      fs.closeSync(fs.openSync(p, 'wx'));
      fs.rmSync(p);
    }
    return null;
  } catch (err) {
    return describeFsError(err);
  }
}

/** `file` can be written (atomically, next to itself): it is not a directory, and its directory exists and takes new files */
export function checkOutputFile(file: string, what: string): void {
  const full = path.resolve(file);
  if (statOrNull(full)?.isDirectory()) throw new OutputPathError(`${what} ${file}: is a directory; give a file name`);
  const dir = path.dirname(full);
  const d = statOrNull(dir);
  if (!d) throw new OutputPathError(`${what} ${file}: directory ${path.dirname(file)} does not exist`);
  if (!d.isDirectory()) throw new OutputPathError(`${what} ${file}: ${path.dirname(file)} is not a directory`);
  const why = probe(dir, 'file');
  if (why) throw new OutputPathError(`${what} ${file}: cannot write in ${path.dirname(file)}: ${why}`);
}

/** `dir` is a directory that takes new files, or it can be created; says which */
export function checkOutputDir(dir: string, what: string): { exists: boolean } {
  const full = path.resolve(dir);
  const st = statOrNull(full);
  if (st) {
    if (!st.isDirectory()) throw new OutputPathError(`${what} ${dir} is a file, not a directory`);
    const why = probe(full, 'file');
    if (why) throw new OutputPathError(`${what} ${dir}: cannot write in it: ${why}`);
    return { exists: true };
  }
  let parent = path.dirname(full);
  while (!statOrNull(parent)) parent = path.dirname(parent);
  if (!statOrNull(parent)!.isDirectory()) throw new OutputPathError(`${what} ${dir}: ${parent} is not a directory`);
  const why = probe(parent, 'dir');
  if (why) throw new OutputPathError(`${what} ${dir}: cannot create it in ${parent}: ${why}`);
  return { exists: false };
}
