/**
 * Checks, before any work, that a file can be written where the user asked, so a long job
 * never ends by losing its results: not a directory, the directory exists and is writable,
 * an existing file is writable.
 */
import fs from 'node:fs';
import path from 'node:path';

export class OutputPathError extends Error {}

/** throws one line naming `what` (e.g. "--json out.json") and the problem */
export function checkOutputPath(file: string, what: string): void {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(target);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory()) throw new OutputPathError(`${what}: is a directory; give a file name`);
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch {
    throw new OutputPathError(`${what}: directory ${dir} does not exist`);
  }
  if (!dirStat.isDirectory()) throw new OutputPathError(`${what}: ${dir} is not a directory`);
  try {
    fs.accessSync(stat ? target : dir, fs.constants.W_OK);
  } catch {
    throw new OutputPathError(`${what}: ${stat ? 'the file' : `directory ${dir}`} is not writable`);
  }
}
