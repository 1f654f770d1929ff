/**
 * A training run's --out directory for the length of one run: created only when needed, locked
 * against a second run (run-lock.ts), and, if the run fails before its first save completes,
 * cleaned of what this run created (the directory itself when the run made it), so no failed
 * start leaves a half-made folder that then demands --resume.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RunLock } from './run-lock.js';
import { describeFsError, OutputPathError } from '../io/output-path.js';

export class RunFolder {
  private saved: boolean;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly lock: RunLock,
    /** the top-most directory this run created, if any */
    private readonly created: string | undefined,
    /** what the directory held before the run */
    private readonly before: ReadonlySet<string>,
    hasSave: boolean,
  ) {
    this.saved = hasSave;
  }

  /** makes (if needed) and locks `dir` (checked with checkOutputDir first); `hasSave`: it already holds a completed save (a resumed run) */
  static open(dir: string, hasSave: boolean): RunFolder {
    let created: string | undefined;
    try {
      created = fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new OutputPathError(`--out ${dir}: cannot create it: ${describeFsError(err)}`);
    }
    let lock: RunLock;
    try {
      lock = RunLock.acquire(dir, `--out ${dir}`);
    } catch (err) {
      if (created) fs.rmSync(created, { recursive: true, force: true });
      throw err;
    }
    return new RunFolder(dir, lock, created, new Set(fs.readdirSync(dir)), hasSave);
  }

  /** the run's first save completed: from now on a failure keeps the folder */
  markSaved(): void {
    this.saved = true;
  }

  /** tells runs on other hosts that this one is alive */
  touch(): void {
    this.lock.touch();
  }

  /** ends the run: after a failure before any completed save, removes what the run created; always releases the lock */
  close(failed: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (failed && !this.saved) {
      if (this.created) fs.rmSync(this.created, { recursive: true, force: true });
      else for (const f of fs.readdirSync(this.dir)) if (!this.before.has(f) && f !== path.basename(this.lock.file)) fs.rmSync(path.join(this.dir, f), { recursive: true, force: true });
    }
    this.lock.release();
  }
}
