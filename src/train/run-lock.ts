/**
 * An exclusive lock on a run directory, so two runs never write one --out: DIR/.lock, created
 * atomically (O_EXCL) with the holder's host, PID and a token. A lock is stale when its holder
 * is gone: on this host its PID no longer runs; from another host (a shared file system) it
 * has not been touched for STALE_MS (the holder touches it after every training step). A
 * stale lock is moved aside atomically and checked before it is removed, so two runs taking
 * over the same stale lock cannot both win.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const LOCK_FILE = '.lock';
/** a lock from another host not touched for this long is stale */
export const STALE_MS = 60 * 60_000;

interface Holder {
  host: string;
  pid: number;
  token: string;
  since: string;
}

export class RunLockedError extends Error {
  override name = 'RunLockedError';
}

/** whether a process with this PID runs on this host (EPERM: it runs, as another user) */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): { holder: Holder | null; mtimeMs: number } | null {
  try {
    const st = fs.statSync(file);
    let holder: Holder | null = null;
    try {
      const h = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Holder>;
      if (typeof h.host === 'string' && typeof h.pid === 'number' && typeof h.token === 'string') holder = h as Holder;
    } catch {
      // being written, or garbage: judged by its age below
    }
    return { holder, mtimeMs: st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function isStale(h: Holder | null, mtimeMs: number, now: number): boolean {
  if (h === null) return now - mtimeMs > 10_000; // unreadable: stale once it has had time to be written
  if (h.host === os.hostname()) return !processAlive(h.pid);
  return now - mtimeMs > STALE_MS;
}

/** the error for a lock held by a live run; null when it is stale */
function refuse(file: string, seen: { holder: Holder | null; mtimeMs: number }, what: string): RunLockedError | null {
  if (isStale(seen.holder, seen.mtimeMs, Date.now())) return null;
  const h = seen.holder;
  const who = h ? `pid ${h.pid}${h.host === os.hostname() ? '' : ` on ${h.host}`}, since ${h.since}` : 'a run starting now';
  return new RunLockedError(`${what} is in use by another hire-snn run (${who}); wait for it or choose another --out (if no such run is going on, remove ${file})`);
}

export class RunLock {
  private released = false;

  private constructor(readonly file: string, private readonly token: string) {}

  /** takes the lock on `dir` (which must exist) or throws a RunLockedError naming its holder */
  static acquire(dir: string, what = dir): RunLock {
    const file = path.join(dir, LOCK_FILE);
    const token = randomBytes(8).toString('hex');
    const me: Holder = { host: os.hostname(), pid: process.pid, token, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx', 0o644);
        try {
          fs.writeSync(fd, JSON.stringify(me));
        } finally {
          fs.closeSync(fd);
        }
        return new RunLock(file, token);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const seen = readHolder(file);
      if (!seen) continue; // released meanwhile
      const refusal = refuse(file, seen, what);
      if (refusal) throw refusal;
      RunLock.removeStale(file, seen.holder);
    }
    throw new RunLockedError(`${what}: could not take the lock ${file} (other runs keep taking it)`);
  }

  /** throws the RunLockedError acquire would throw if `dir` is locked by a live run (a look, taking nothing) */
  static assertFree(dir: string, what = dir): void {
    const file = path.join(dir, LOCK_FILE);
    const seen = readHolder(file);
    const refusal = seen && refuse(file, seen, what);
    if (refusal) throw refusal;
  }

  /** moves the stale lock aside, and removes it if it is still the one judged stale (else puts it back) */
  private static removeStale(file: string, judged: Holder | null): void {
    const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      fs.renameSync(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const moved = readHolder(aside);
    if (moved?.holder?.token !== judged?.token) {
      // someone took the lock between our look and the move: give it back (link fails if a third run holds it now)
      try {
        fs.linkSync(aside, file);
      } catch {
        // the third run's lock stands; the one we moved is lost to its owner, who will see it gone at release
      }
    }
    fs.rmSync(aside, { force: true });
  }

  /** marks the holder alive (for runs on other hosts); cheap enough for every step */
  touch(): void {
    if (this.released) return;
    const now = new Date();
    try {
      fs.utimesSync(this.file, now, now);
    } catch {
      // a lost lock file is noticed at release; training goes on
    }
  }

  /** removes the lock if it is still ours */
  release(): void {
    if (this.released) return;
    this.released = true;
    const seen = readHolder(this.file);
    if (seen?.holder?.token === this.token) fs.rmSync(this.file, { force: true });
  }
}
